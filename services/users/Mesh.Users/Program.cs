using Mesh.ServiceDefaults.Hosting;
using Mesh.Users.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-users");
builder.AddUserServices();

var app = builder.Build();
app.MapServiceDefaults();
app.MapUserEndpoints();
app.Run();
