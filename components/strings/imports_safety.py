"""Strings of the import/export safety work (#15.3-#15.10, #14.9 imports)."""

TEXT = {
    "io.export_unmasked_name": ("含个人信息的文件名带 _unmasked_,下载会记入审计日志",
                                ("Files with personal data are named *_unmasked_*; every download "
                                "is recorded in the audit log")),
    "io.export_audited": ("下载会记入审计日志(谁、什么、是否脱敏)",
                          "Downloads are recorded in the audit log (who, what, masked or not)"),
    "io.rollback_none": ("没有可回滚的导入(已回滚的不再提供)",
                         "No import to roll back (rolled-back imports are not offered again)"),
    "grids.roster.audited": ("花名册仅能通过下方按钮导出,下载会记入审计日志",
                             ("The roster leaves only through the buttons below; every download "
                             "is recorded in the audit log")),
}
