# Stand-in for rust:1-bookworm (build stage of the Rust addons): the Debian root filesystem, gcc for blst's and
# libsecp256k1's C, this machine's Rust toolchain (rustc, cargo and the standard library, copied from its sysroot)
# and its CA bundle (for crates.io through the TLS proxy). CARGO_HOME is the official image's.
ARG BASE
FROM ${BASE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY rust /usr/local/rust
ENV CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    CARGO_HTTP_CAINFO=/etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /usr/local/cargo && cargo --version && rustc --version
