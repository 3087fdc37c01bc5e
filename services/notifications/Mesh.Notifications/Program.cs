using Mesh.Notifications.Extensions;
using Mesh.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-notifications");
builder.AddNotificationServices();

var app = builder.Build();
app.MapServiceDefaults();
app.MapNotificationEndpoints();
app.Run();
