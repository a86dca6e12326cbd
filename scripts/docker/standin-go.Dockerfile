# Stand-in for golang:1.24-bookworm (build stage of CometBFT): the Debian root filesystem, this machine's Go (its
# GOROOT, copied) and its CA bundle (for the Go module proxy through the TLS proxy). GOPATH is the official image's.
ARG BASE
FROM ${BASE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY go /usr/local/go
ENV GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /go && go version
