TEXT = {
    "app.title": ("红图 · 黄岩小区党建网络", "Hongtu · Huangyan compound Party-building network"),
    "app.sample_badge": ("示例数据(生成,非真实记录)", "Sample data (generated, not real records)"),
    "app.lang": ("语言 / Language", "语言 / Language"),
}
TEXT.update({
    "page.overview": ("网络总览", "Network map"),
    "page.compound": ("小区详情", "Compound"),
    "page.planner": ("阵地规划", "Position planner"),
    "page.grids": ("网格党员", "Grid members"),
    "page.orders": ("工单与事件", "Orders and cases"),
    "page.data_io": ("数据导入导出", "Import and export"),
    "page.audit": ("审计日志", "Audit log"),
    "page.big_screen": ("大屏展示", "Big screen"),
})
