"""Strings of the install and operations area (map assets, health)."""

_MISSING_ZH = (
    "地图资源文件缺失,地图无法显示:{files}(应在 {folder})。请运行 "
    "`python scripts/vendor_assets.py`(源码目录,需联网或 npm 镜像),或安装含资源的 hongtu 安装包"
    "(`make bundle` 生成的离线包)。"
)
_MISSING_EN = (
    "Map asset files are missing, so the map cannot be drawn: {files} (expected in {folder}). "
    "Run `python scripts/vendor_assets.py` in the source folder (needs the npm registry or a "
    "mirror), or install a hongtu wheel that carries them (the offline bundle of `make bundle`)."
)

TEXT = {
    "assets.missing": (_MISSING_ZH, _MISSING_EN),
}
