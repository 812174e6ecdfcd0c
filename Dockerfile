# The API image, for docker-compose. Not exercised by the tests here (no Docker engine on CI machines).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# npm installs the upload page's tus-js-client (src/Stremora.Api/ClientLibs); the publish copies it into wwwroot/lib/.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cd src/Stremora.Api/ClientLibs && npm ci --no-audit --no-fund --loglevel=error
RUN dotnet publish src/Stremora.Api/Stremora.Api.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# ffprobe analyses every upload and ffmpeg makes poster frames (Media__FfprobePath / Media__FfmpegPath find them on PATH).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "Stremora.Api.dll"]
