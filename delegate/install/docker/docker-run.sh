#!/bin/bash -e
# Reference delegate with `docker run`. Placeholders: {{ACCOUNT_ID}} {{DELEGATE_TOKEN}} {{MANAGER_HOST_AND_PORT}}
# {{DELEGATE_NAME}}. The container's host name is its instance id.
# Rotate: put the new token below and run this script again: Docker cannot change a running container's environment,
# so the old container is removed (its session closes normally) and a new one is created.
docker rm -f "{{DELEGATE_NAME}}" >/dev/null 2>&1 || true
docker run -d --restart unless-stopped --name "{{DELEGATE_NAME}}" --hostname="$(hostname -f)" \
  -e ACCOUNT_ID="{{ACCOUNT_ID}}" \
  -e DELEGATE_TOKEN="{{DELEGATE_TOKEN}}" \
  -e MANAGER_HOST_AND_PORT="{{MANAGER_HOST_AND_PORT}}" \
  -e DELEGATE_NAME="{{DELEGATE_NAME}}" \
  -e DELEGATE_TYPE=DOCKER \
  delegate-broker/delegate:0.1.0
