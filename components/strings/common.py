TEXT = {
    "app.title": ("红图 · 黄岩小区党建网络", "Hongtu · Huangyan compound Party-building network"),
    "app.sample_badge": ("示例数据(生成,非真实记录)", "Sample data (generated, not real records)"),
    "app.lang": ("语言 / Language", "语言 / Language"),
}
