# Stand-in for node:24-bookworm-slim in build stages: the node stand-in plus this machine's CA bundle, for the TLS
# proxy between this machine and the registries. Only build stages get it: no image that runs a daemon has it.
ARG BASE
FROM ${BASE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
