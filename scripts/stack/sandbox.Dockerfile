# Default sandbox for students' deletion scripts (bonus.deleteScript), built
# from Debian's curl, jq and busybox because Docker Hub is not reachable on CI
# machines. No package manager, no Docker client: only sh (busybox), curl, jq.
# The grader runs it with --network <internal>, --read-only, --cap-drop ALL and
# as user 65534; override with GRADER_SANDBOX_IMAGE.
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin:/bin HOME=/tmp
USER 65534:65534
WORKDIR /tmp
ENTRYPOINT []
CMD ["sh"]
