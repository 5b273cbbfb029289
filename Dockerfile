# syntax=docker/dockerfile:1
# A small image with only the static `playbill` binary, CA certificates and a non-root user.
#
#   docker build -t playbill .                                   # compiles from source
#   docker run --rm -u "$(id -u)" -v "$PWD:/site" playbill build   # renders ./site.toml into ./public
#
# The release workflow passes BINARY=prebuilt: the image then copies the static binaries the
# release built (dist/linux-<arch>/playbill) instead of compiling again.
ARG BINARY=source

# Alpine's toolchain targets musl, so the binary is static: the C parts of the TLS stack
# (aws-lc-sys, ring) and of syntect (onig_sys) need only a C compiler and musl headers.
FROM rust:1.95-alpine AS source
RUN apk add --no-cache musl-dev gcc make
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY static static
RUN cargo build --profile dist --locked --bin playbill \
    && install -D target/dist/playbill /out/playbill

FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/playbill /out/playbill

FROM ${BINARY} AS binary

# distroless/static: CA certificates (the GitHub, Kubernetes and object-store clients verify
# TLS against the system roots), /etc/passwd with the `nonroot` user (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=binary /out/playbill /usr/local/bin/playbill
WORKDIR /site
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/playbill"]
CMD ["--help"]
