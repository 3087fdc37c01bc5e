# One image recipe for every Mesh process; PROJECT picks which. For example:
#   docker build --build-arg PROJECT=services/orders/Mesh.Orders/Mesh.Orders.csproj -t mesh/orders .
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG PROJECT
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY platform/ platform/
COPY gateway/ gateway/
COPY services/ services/
RUN test -n "${PROJECT}" || { echo "build with --build-arg PROJECT=<path to .csproj>" >&2; exit 1; }
RUN dotnet publish "${PROJECT}" --configuration Release --output /app --nologo \
 && printf '#!/bin/sh\nexec dotnet /app/%s.dll "$@"\n' "$(basename "${PROJECT}" .csproj)" > /app/start \
 && chmod 755 /app/start

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
WORKDIR /app
COPY --from=build /app .
# All interfaces inside the container, h2c on 8080: a port an unprivileged user may bind.
# `Urls` rather than ASPNETCORE_URLS, because each service's appsettings.json sets Urls.
ENV Urls=http://+:8080
EXPOSE 8080
# The aspnet images ship an unprivileged "app" user whose uid is APP_UID.
USER $APP_UID
ENTRYPOINT ["/app/start"]
