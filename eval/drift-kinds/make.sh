#!/bin/sh
# Rebuilds eval/drift-kinds/ (images, manifest.csv, licenses/) from Debian packages.
# Needs: apt-get (after apt-get update), dpkg-deb, rsvg-convert (librsvg2-bin) and
# /usr/bin/python3 with PIL (python3-pil). Nothing in the build runs this.
# Usage: eval/drift-kinds/make.sh [scratch folder, default /tmp/drift-kinds-work]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${1:-/tmp/drift-kinds-work}

# Pinned so that a rebuild takes the very files the manifest names; crawl-common only
# brings the copyright file that crawl-tiles-data's doc folder links to.
PACKAGES="crawl-common=2:0.28.0-1.1 crawl-tiles-data=2:0.28.0-1.1
  desktop-base=12.0.6+nmu1~deb12u1 endless-sky-data=0.9.8-1.2
  extremetuxracer-data=0.8.2-1 freeciv-data=3.0.6-1+deb12u1 gnome-backgrounds=43.1-1
  kdegames-mahjongg-data-kf5=4:22.12.3-1 kodi-data=2:20.1+dfsg-1
  lomiri-wallpapers=20.04.0-2 lxde-common=0.99.2-4 lxqt-themes=1.2.0-1
  megaglest-data=3.13.0-3 neverball-data=1.6.0+git20180603-3
  sddm-theme-maldives=0.19.0-5 sway-backgrounds=1.7-6 tuxpaint-data=1:0.9.28-sdl2-1
  wesnoth-1.16-data=1:1.16.9-1 xfdesktop4-data=4.18.1-1"

mkdir -p "$WORK/debs" "$WORK/x"
cd "$WORK/debs"
rm -f ./*.deb
# shellcheck disable=SC2086  # the list is split on purpose
apt-get download $PACKAGES
for deb in ./*.deb; do
  pkg=$(dpkg-deb -f "$deb" Package)
  rm -rf "$WORK/x/$pkg"
  mkdir -p "$WORK/x/$pkg"
  dpkg-deb -x "$deb" "$WORK/x/$pkg"
  dpkg-deb -f "$deb" Version > "$WORK/x/$pkg.version"
done
/usr/bin/python3 "$HERE/make_kinds.py" "$HERE" "$WORK/x"
