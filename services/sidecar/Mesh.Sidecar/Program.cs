using Mesh.ServiceDefaults.Hosting;
using Mesh.Sidecar.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-sidecar");
builder.AddSidecarLocks();
builder.AddSidecarRateLimits();

var app = builder.Build();
app.MapServiceDefaults();
app.MapSidecarLocks();
app.MapSidecarRateLimits();
app.Run();
