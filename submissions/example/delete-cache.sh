#!/bin/sh
# Usuwa obraz cache z rejestru registry7 (zadanie dodatkowe, laboratorium 7).
#
# Zmienne środowiskowe (ustawia je grader; przy ręcznym uruchomieniu podaj je sam):
#   REGISTRY_URL  adres API rejestru, np. http://localhost:5000
#   REPOSITORY    nazwa repozytorium, np. s99656/pogoda
#   CACHE_TAG     tag obrazu cache, np. buildcache
#
# Rejestr musi mieć włączone usuwanie (REGISTRY_STORAGE_DELETE_ENABLED=true), inaczej DELETE
# odpowiada 405 UNSUPPORTED. Usuwa się po digeście (po tagu: 400 DIGEST_INVALID). Miejsce na
# dysku wraca dopiero po `registry garbage-collect` przy zatrzymanym rejestrze (robi to grader).
set -eu

: "${REGISTRY_URL:?ustaw REGISTRY_URL}" "${REPOSITORY:?ustaw REPOSITORY}" "${CACHE_TAG:?ustaw CACHE_TAG}"
manifest_url="$REGISTRY_URL/v2/$REPOSITORY/manifests"
# Wszystkie cztery typy manifestu: nowy BuildKit (>= 0.21) zapisuje cache jako manifest obrazu OCI,
# starszy jako indeks OCI. Bez typu zapisanego manifestu rejestr odpowiada 404 i nie podaje digestu.
accept='Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'

# 1. Digest manifestu cache z nagłówka Docker-Content-Digest.
digest=$(curl -fsSI -H "$accept" "$manifest_url/$CACHE_TAG" \
  | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }')
[ -n "$digest" ] || { echo "brak nagłówka Docker-Content-Digest dla $REPOSITORY:$CACHE_TAG" >&2; exit 1; }
echo "digest $REPOSITORY:$CACHE_TAG = $digest"

# 2. DELETE po digeście; usuwa manifest i każdy tag, który na niego wskazuje.
status=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$manifest_url/$digest")
echo "DELETE $digest -> $status"
[ "$status" = 202 ] || exit 1

# 3. Sprawdzenie: tag cache odpowiada teraz 404.
after=$(curl -sS -o /dev/null -w '%{http_code}' -I -H "$accept" "$manifest_url/$CACHE_TAG")
echo "HEAD $CACHE_TAG po usunięciu -> $after"
[ "$after" = 404 ]
