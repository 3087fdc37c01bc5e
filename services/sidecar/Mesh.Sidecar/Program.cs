using Mesh.ServiceDefaults.Hosting;
using Mesh.Sidecar.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-sidecar");
builder.AddSidecarApps();
builder.AddSidecarLocks();
builder.AddSidecarRateLimits();
builder.AddSidecarDaprApi();

var app = builder.Build();
app.UseSidecarApps();
app.MapServiceDefaults();
app.MapSidecarLocks();
app.MapSidecarRateLimits();
app.MapSidecarDaprApi();
app.Run();
