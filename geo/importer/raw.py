"""What a reader hands on: raw tables and the problems a file has as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.schema import Problem

FILE_MESSAGES = {
    "file_too_large": ("文件超过大小上限 {limit} MB:{size} MB",
                       "file exceeds the size limit of {limit} MB: {size} MB"),
    "zip_too_large": ("压缩包解压后超过 {limit} MB(在 {member} 处),疑为压缩炸弹,未读取",
                      ("the archive inflates past {limit} MB (at {member}): a likely zip bomb, "
                      "not read")),
    "zip_ratio": ("压缩包成员 {member} 的压缩比 {ratio}:1 超过上限 {max}:1,疑为压缩炸弹,未读取",
                  ("archive member {member} is compressed {ratio}:1, over the limit of {max}:1: "
                  "a likely zip bomb, not read")),
    "unknown_format": ("不支持的文件格式:{suffix}", "unknown file format: {suffix}"),
    "unreadable_file": ("文件无法读取:{error}", "unreadable file: {error}"),
    "empty_file": ("文件中没有数据", "the file holds no records"),
    "no_such_file": ("文件或文件夹不存在", "no such file or folder"),
    "no_known_file": (("{kind_zh}中没有可导入的文件(支持 .xlsx .csv .geojson .json .gpkg .shp)"),
                      ("the {kind_en} holds no file that can be imported (.xlsx .csv .geojson .json "
                       ".gpkg .shp)")),
    "bad_encoding": ("无法识别文件编码(支持 UTF-8、UTF-16、GBK/GB18030),请另存为 UTF-8",
                     ("cannot tell the text encoding (UTF-8, UTF-16, GBK/GB18030 are read); "
                     "save it as UTF-8")),
    "shapefile_part_missing": (("Shapefile 缺少 {part} 文件({shp}),请把 .shp、.shx、.dbf(及 "
                               ".prj、.cpg)一起压缩"), ("the Shapefile {shp} lacks its {part} file; "
                               "zip .shp, .shx, .dbf (and .prj, .cpg) together")),
    "no_importable_table": ("GeoPackage 中没有可导入的图层(找到:{found})",
                            "the GeoPackage holds no importable layer (found: {found})"),
    "formula_no_value": (("公式单元格 {cell} 没有计算结果({formula}):请在 Excel 中打开并保存,"
                         "或复制后“粘贴为数值”"), ("formula cell {cell} has no computed value "
                         "({formula}): open and save the workbook in Excel, or paste values")),
    "masked_export": (("这是脱敏导出文件({marker}),姓名和电话已被遮盖,不能导入(会覆盖真实信息);"
                      "请使用未脱敏的导出或原始数据"), ("this is a masked export ({marker}): names "
                      "and phones are hidden, importing it would overwrite the real ones; use an "
                      "unmasked export or the original data")),
}


def file_problem(code: str, file: str, sheet: str | None = None, row=None, fld=None,
                 **fmt) -> Problem:
    zh, en = FILE_MESSAGES[code]
    return Problem(layer="", feature_id=None, field=fld, code=code, message_zh=zh.format(**fmt),
                   message_en=en.format(**fmt), row=row, file=file, sheet=sheet, extra=dict(fmt))


@dataclass
class RawTable:
    """One sheet/layer of an uploaded file, columns as found."""

    file: str
    sheet: str | None
    fmt: str
    frame: pd.DataFrame  # a GeoDataFrame when the format carries geometry
    encoding: str | None = None
    declared_crs: str | None = None
    notes: list[str] = field(default_factory=list)
    row_numbers: list[int] | None = None  # the source row of each frame row (spreadsheets)
    problems: list[Problem] = field(default_factory=list)


class FileProblem(Exception):
    """A reader found a cause worth naming (not a parser crash)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.message_en)


