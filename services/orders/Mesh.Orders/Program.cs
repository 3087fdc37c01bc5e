using Mesh.Orders.Extensions;
using Mesh.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-orders");
builder.AddOrderServices();

var app = builder.Build();
app.MapServiceDefaults();
app.MapOrderEndpoints();
app.Run();
