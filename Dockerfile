# The loadr image (docs/distributed.md): dist/loadr on a small Debian base. Build the binary
# first (`bun run build`), then `buildah bud -t loadr:<version> .` (or `docker build`).
# The binary needs glibc; /bin/sh is used by the scale-out parts rendered by `loadr k8s render`.
# BASE can be any Debian-like root file system (test/k8s-image.test.ts builds from a local one).
ARG BASE=debian:bookworm-slim
FROM ${BASE}
COPY dist/loadr /usr/local/bin/loadr
# unprivileged, as the rendered pods run it
USER 65534:65534
WORKDIR /tmp
ENTRYPOINT ["loadr"]
CMD ["--help"]
