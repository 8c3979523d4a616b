"""Display polish (#14 defects 7-9): labels for codes that used to reach the screen, and the
Chinese for Streamlit's built-in English (upload area, input hints, menus)."""

TEXT = {
    # grid table: the grid's name (the roster's "name" is a person's)
    "polish.col.grid_name": ("网格名称", "Grid"),
    # audit actions (permission and workflow actions are named in geo.auth / geo.workflow)
    "polish.audit.action.sign_in": ("登录", "Sign-in"),
    "polish.audit.action.sign_out": ("退出登录", "Sign-out"),
    "polish.audit.action.account_change": ("账号变更", "Account change"),
    "polish.audit.action.account_locked": ("账号锁定", "Account locked"),
    "polish.audit.action.open_page": ("打开页面", "Open a page"),
    "polish.audit.action.members.move": ("党员调整网格", "Member moved to a grid"),
    "polish.audit.action.members.edit": ("党员岗位职责修改", "Member post/duty edited"),
    "polish.audit.action.members.undo": ("撤销党员调整", "Member change undone"),
    "polish.audit.action.export": ("导出/下载", "Export or download"),
    "polish.audit.action.workflow": ("工单事件 · {name}", "Orders and cases · {name}"),
    # solver status of the MCLP / fewest-positions suggestion (PuLP's status names)
    "polish.solver.Optimal": ("最优解", "optimal"),
    "polish.solver.Infeasible": ("无可行解", "infeasible"),
    "polish.solver.Unbounded": ("无界", "unbounded"),
    "polish.solver.Not Solved": ("未求解", "not solved"),
    "polish.solver.Undefined": ("未确定", "undetermined"),
    # Streamlit's own English, replaced in the Chinese UI (components.streamlit_text)
    "polish.upload.drop": ("将文件拖放到此处", "Drag and drop files here"),
    "polish.upload.browse": ("选择文件", "Browse files"),
    "polish.upload.limit": ("单个文件不超过 {mb} MB", "Limit {mb} MB per file"),
    "polish.input.enter": ("按回车键确认", "Press Enter to apply"),
    "polish.select.placeholder": ("请选择", "Choose an option"),
    "polish.select.no_results": ("无匹配项", "No results"),
    "polish.skip_to_content": ("跳到正文", "Skip to main content"),
}
TEXT.update({
    "polish.layer.accounts": ("账号", "accounts"),
    "polish.layer.import_log": ("导入记录", "import log"),
    "polish.layer.scenarios": ("规划方案", "scenarios"),
    "polish.layer.audit": ("审计日志", "audit log"),
    "polish.layer.workflow_events": ("工单事件流转", "workflow events"),
})
# the planner's Excel workbook: sheets, headings and values in the reader's language
TEXT.update({
    "polish.sheet.summary": ("概要", "summary"),
    "polish.sheet.candidates": ("候选阵地", "candidates"),
    "polish.sheet.compounds": ("小区", "compounds"),
    "polish.sheet.positions": ("阵地", "positions"),
    "polish.col.unit": ("计量单位", "Unit"),
    "polish.col.distance_kind": ("距离口径", "Distance"),
    "polish.col.households": ("户数", "Households"),
    "polish.col.nearest_position_id": ("最近阵地编号", "Nearest position"),
    "polish.col.distance_m": ("距离(米)", "Distance (m)"),
    "polish.col.covered": ("是否覆盖", "Covered"),
    "polish.col.status": ("状态", "Status"),
    "polish.col.catchment_households": ("服务户数", "Households served"),
    "polish.col.catchment_compounds": ("服务小区数", "Compounds served"),
    "polish.unit.households": ("户", "households"),
    "polish.unit.residents": ("人", "residents"),
    "polish.status.existing": ("现有", "existing"),
    "polish.status.planned": ("规划", "planned"),
    "polish.yes": ("是", "yes"),
    "polish.no": ("否", "no"),
})
TEXT["polish.select.compound"] = ("请选择小区", "Choose a compound")
# the overview map: the chosen streets stand out, a basemap that cannot load says so
TEXT.update({
    "polish.map.dim": ("其他街道(淡化)", "Other streets (dimmed)"),
    "polish.map.tiles_failed": (
        "底图瓦片无法加载(瓦片服务器不可达?)。请在上方“底图”中改用离线底图。",
        ("The basemap tiles cannot be loaded (tile server unreachable?). Choose the offline "
         "basemap above.")),
    "polish.map.tiles_hint": ("在线底图需要能访问瓦片服务器;地图空白时请改用离线底图。",
                              ("Online basemaps need their tile server; if the map stays "
                               "blank, use the offline basemap.")),
    "polish.map.use_offline": ("改用离线底图", "Use the offline basemap"),
})
