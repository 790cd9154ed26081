# Stand-in for the official registry:2 image, built from Debian's docker-registry
# binary because Docker Hub is not reachable on CI machines.
FROM scratch
COPY rootfs/ /
VOLUME ["/var/lib/registry"]
EXPOSE 5000
ENTRYPOINT ["/bin/registry"]
CMD ["serve", "/etc/docker/registry/config.yml"]
