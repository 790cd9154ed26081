#!/bin/sh
# Polecenia z zadania nieobowiązkowego (laboratorium 7), w kolejności wykonania.
# Rejestr 127.0.0.1:5055 pełni w tym przykładzie rolę registry7 (wypełnia go scripts/setup.sh).
set -eu

# Builder ze sterownikiem docker-container, ustawiony jako domyślny.
docker buildx create --driver docker-container --name lab7builder --use --bootstrap

# Obraz dla dwóch architektur, wypchnięty do rejestru; cache w trybie max jako osobny obraz.
docker buildx build -f Dockerfile --platform linux/amd64,linux/arm64 \
  --build-arg VERSION=1.0 \
  -t 127.0.0.1:5055/s99656/pogoda:multiarch --push \
  --cache-to type=registry,ref=127.0.0.1:5055/s99656/pogoda:buildcache,mode=max \
  --cache-from type=registry,ref=127.0.0.1:5055/s99656/pogoda:buildcache \
  .
