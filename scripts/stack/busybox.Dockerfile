# Multi-arch busybox base made from Debian's busybox-static (amd64 + arm64).
FROM scratch
ARG TARGETARCH
COPY rootfs-${TARGETARCH}/ /
CMD ["sh"]
