# Runtime image of a broker node, run by deploy/kubernetes/statefulset.yaml.
# Build after the jar:  mvn -B package -DskipTests && docker build -t delegate-broker:0.1.0 .
# (Not built by this repository's CI: its machines reach no image registry and run no Docker engine. The broker's
# tests check this file's facts instead: a non-root user, the jar it copies, the ports it exposes, and that the JVM
# starts and drains with its flags.)
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 broker \
 && useradd --system --uid 10001 --gid broker --no-create-home --shell /usr/sbin/nologin broker

COPY broker/target/broker.jar /opt/broker/broker.jar

# Container-aware heap: 75 % of the memory limit, the rest for direct buffers (Netty), metaspace and thread stacks.
# Exit (and be restarted) on OutOfMemoryError rather than limp on with sessions half served.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
WORKDIR /tmp
# delegate WebSockets, admin API and metrics, Hazelcast
EXPOSE 8080 8081 5701

# exec form: java is PID 1 and receives SIGTERM itself, which drains the node.
ENTRYPOINT ["java", "-jar", "/opt/broker/broker.jar"]
