#!/bin/sh -e
docker run -d --restart unless-stopped --hostname="$(hostname -f)" \
  -e ACCOUNT_ID={{ACCOUNT_ID}} \
  -e DELEGATE_TOKEN={{DELEGATE_TOKEN}} \
  -e MANAGER_HOST_AND_PORT={{MANAGER_HOST_AND_PORT}} \
  -e DELEGATE_NAME={{DELEGATE_NAME}} \
  -e DELEGATE_TYPE=DOCKER \
  delegate-broker/delegate:latest
