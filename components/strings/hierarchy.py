"""Units of the hierarchy: province, city, county (components.units, views.overview)."""

TEXT = {
    "unit.pick": ("范围", "Area"),
    "unit.level.province": ("省", "province"),
    "unit.level.city": ("市", "city"),
    "unit.level.county": ("区县", "county"),
    "unit.up": ("返回上一级:{name}", "Up to {name}"),
    "unit.legend.title": ("图例 · {indicator}", "Legend · {indicator}"),
    "unit.legend.no_data": ("无数据", "no data"),
    "unit.children": ("下辖{level}", "{level} units below"),
    "unit.map.caption": (
        "{name}共{n}个{level},按“{indicator}”着色;点击一个进入下一级。",
        "{name}: {n} {level} units, coloured by “{indicator}”; click one to go down a level."),
    "unit.map.indicator": ("着色指标", "Colour by"),
    "unit.indicator.coverage": ("网格有党员覆盖率", "Grids with a member"),
    "unit.indicator.disclosure": ("四公开率", "Four-disclosures rate"),
    "unit.indicator.satisfaction": ("满意率", "Satisfaction"),
    "unit.indicator.members_per_grid": ("每网格党员数", "Members per grid"),
    "unit.col.name": ("名称", "Name"),
    "unit.col.compounds": ("小区", "Compounds"),
    "unit.col.grids": ("网格", "Grids"),
    "unit.col.members": ("党员", "Members"),
    "unit.col.positions": ("阵地", "Positions"),
    "unit.table": ("下一级明细", "Units below"),
    "unit.open": ("进入", "Open"),
}
