# One version everywhere: CMake's project(VERSION) is what memcg --version
# and -V print and what debian/changelog's newest entry says (its upstream
# part: no epoch, no Debian revision).
# usage: test_version.sh MEMCG VERSION SOURCE-DIR
set -u
memcg=$1
version=$2
src=$3
. "$(dirname "$0")/lib.sh"

expect "--version prints 'memcg $version'" [ "$("$memcg" --version)" = "memcg $version" ]
expect "-V prints 'memcg $version'" [ "$("$memcg" -V)" = "memcg $version" ]

changelog=$src/debian/changelog
deb=$(sed -n '1s/^memcg (\([^)]*\)).*/\1/p' "$changelog" 2>/dev/null)
expect "debian/changelog starts with an entry of memcg" [ -n "$deb" ]
upstream=${deb#*:}
upstream=${upstream%-*}
expect "debian/changelog's version $deb is $version" [ "$upstream" = "$version" ]
if command -v dpkg-parsechangelog >/dev/null; then
	expect "dpkg-parsechangelog reads $deb" \
		[ "$(dpkg-parsechangelog -l "$changelog" -S Version)" = "$deb" ]
fi
finish
