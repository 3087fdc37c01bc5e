# syntax=docker/dockerfile:1
# The image of every Mesh runnable (the gateway, the services, the coordination sidecar): one recipe,
# the project chosen by the build argument PROJECT. Build from the repository root, the build context:
#   docker build --build-arg PROJECT=services/orders/Mesh.Orders -t mesh/orders .
# docker-compose.yml declares each image's arguments; `docker compose build` builds them all.
ARG DOTNET_VERSION=10.0

# The project files and the central build files, in their folders, and nothing else (COPY with a
# wildcard would flatten the folders). This stage reruns on any edit, but its result changes only
# when a project file or the central package versions do, so the restore below stays cached.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS projects
WORKDIR /src
COPY . .
RUN find . -type f ! -name '*.csproj' ! -name 'Directory.Build.*' ! -name 'Directory.Packages.props' -delete

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
# The folder of the project to publish, from the repository root (gateway/Mesh.Gateway,
# services/<name>/Mesh.<Name>). The folder, its project file and its assembly share one name.
ARG PROJECT
WORKDIR /src
COPY --from=projects /src ./
RUN if [ -z "$PROJECT" ]; then echo "Build with --build-arg PROJECT=<project folder>, e.g. services/orders/Mesh.Orders." >&2; exit 1; fi \
 && dotnet restore "$PROJECT" \
 && dotnet restore tools/Mesh.Cli

# Sources: the shared ones, the project's own and the CLI's. Another project's edit reuses this build.
COPY protos/ protos/
COPY platform/ platform/
COPY ${PROJECT}/ ${PROJECT}/
COPY tools/Mesh.Cli/ tools/Mesh.Cli/
# /app/entrypoint: the published executable (the apphost, named after the assembly) under one name
# for every project, as ENTRYPOINT expands no variables.
RUN dotnet publish "$PROJECT" --configuration Release --no-restore --nologo --output /app \
 && ln -s "$(basename "$PROJECT")" /app/entrypoint \
 && dotnet publish tools/Mesh.Cli --configuration Release --no-restore --nologo --output /probe

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
# The port the process listens on: 8080, but the sidecar's 5104, because it shares a pod's network
# with the service it serves.
ARG PORT=8080
WORKDIR /app
COPY --from=build /app ./
# Only the CLI's `health` command is used: it asks grpc.health.v1 and exits 0 on SERVING.
COPY --from=build /probe /opt/mesh/probe/
# h2c on every interface. `Urls` rather than ASPNETCORE_URLS because appsettings.json sets Urls
# (loopback, for ./mesh.sh up) and environment variables without a prefix are read after it.
# ASPNETCORE_HTTP_PORTS is the base image's default and would only be overridden with a warning.
# MESH_HEALTH_URL is where the health check below asks; change it together with Urls.
ENV Urls=http://+:${PORT} \
    Kestrel__EndpointDefaults__Protocols=Http2 \
    ASPNETCORE_HTTP_PORTS= \
    MESH_HEALTH_URL=http://127.0.0.1:${PORT}
# A 16 MiB gen-0 budget (hexadecimal bytes) instead of the server GC's small dynamic one: the
# runtime reads it from the environment only. Why, and what it costs: tools/Mesh.AppHost/RuntimeSettings.cs.
ENV DOTNET_GCgen0size=0x1000000
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD dotnet /opt/mesh/probe/Mesh.Cli.dll health "$MESH_HEALTH_URL" >/dev/null || exit 1
# The aspnet images ship an unprivileged "app" user; APP_UID is its numeric id, so Kubernetes'
# runAsNonRoot can verify it.
USER $APP_UID
ENTRYPOINT ["/app/entrypoint"]
