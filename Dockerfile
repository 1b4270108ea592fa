# The server, built from source and run on production dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# npm ci also builds the explorer page (postinstall) from web/ and the schema.
COPY schema.graphql ./
COPY web ./web
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 IMAGESTORE_DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# The page was built in the build stage: here the only install script is the driver patch.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npx patch-package \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY migrations ./migrations
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
CMD ["node", "dist/main.js"]
