using Mesh.Gateway.Extensions;
using Mesh.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-gateway");
builder.AddGatewayServices();

var app = builder.Build();
app.UseGatewayPipeline();
app.MapServiceDefaults();
app.MapGatewayEndpoints();
app.Run();
