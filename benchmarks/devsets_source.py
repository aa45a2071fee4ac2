"""Source of the labelled development sets in ``data/eval/`` (hand-written).

Run ``python -m benchmarks.devsets_source`` to regenerate the JSONL files.
Each need (scenario) lists its relevant offers (grade 2 = solves the need,
grade 1 = partly) and hard negatives: offers that share words but not the need
(grade 0, listed only for documentation; absent from qrels).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "eval"

# (id, sector, region, title, description)
SCENARIOS = [
    (
        "s01",
        "smart-transport",
        "guiyang",
        "主城区路口信号配时优化",
        "高峰时段主干道路口排队长、通行效率低，希望利用视频检测和车流数据实现信号灯自适应配时，缓解交通拥堵。",
    ),
    (
        "s02",
        "smart-health",
        "zunyi",
        "县域互联网医院建设",
        "需要建设县级互联网医院，支持在线复诊、电子处方流转和医保在线结算，方便群众看病。",
    ),
    (
        "s03",
        "eco-environment",
        "qiandongnan",
        "河流水质自动监测与污染溯源",
        "辖区河流断面水质波动大，需要布设水质自动监测站，结合上下游数据快速定位排污源。",
    ),
    (
        "s04",
        "smart-elderly",
        "guiyang",
        "独居老人居家安全监护",
        "社区独居老人多，需要智能手环、跌倒检测和一键紧急呼叫，出现异常自动通知家属和社区网格员。",
    ),
    (
        "s05",
        "gov-services",
        "province",
        "高频政务事项跨省通办",
        "推动社保、户籍等高频事项跨省通办，实现电子证照互认、材料免提交，群众一次不跑。",
    ),
    (
        "s06",
        "smart-education",
        "anshun",
        "中小学学情分析与精准教学",
        "采集课堂练习和考试数据，分析每个学生的知识薄弱点，给教师提供分层作业和精准教学建议。",
    ),
    (
        "s07",
        "digital-village",
        "bijie",
        "特色农产品质量溯源",
        "为茶叶、刺梨等特色农产品建立一物一码溯源体系，记录种植、加工、物流全过程，提升品牌信任。",
    ),
    (
        "s08",
        "emergency-management",
        "liupanshui",
        "煤矿安全风险监测预警",
        "煤矿井下瓦斯、顶板、水害风险需要实时监测，建立多源数据融合的风险预警和应急处置平台。",
    ),
    (
        "s09",
        "smart-tourism",
        "qiannan",
        "景区客流监测与预约分流",
        "节假日景区游客拥挤，需要实时客流统计、分时预约和承载量预警，引导游客错峰游览。",
    ),
    (
        "s10",
        "market-supervision",
        "province",
        "食品生产企业风险分级监管",
        "整合抽检、投诉、许可数据，对食品生产企业进行信用风险分级，实现差异化精准检查。",
    ),
    (
        "s11",
        "city-ops",
        "guiyang",
        "城市生命线燃气管网监测",
        "老旧燃气管网泄漏事故隐患大，需要部署可燃气体传感器并建立管网运行监测和爆炸风险预警。",
    ),
    (
        "s12",
        "smart-water",
        "tongren",
        "山洪灾害预警",
        "山区小流域降雨集中易发山洪，需要雨量水位监测站和预警发布系统，提前转移危险区群众。",
    ),
    (
        "s13",
        "data-elements",
        "guian",
        "医疗影像数据标注",
        "需要对数万例肺部CT影像进行病灶标注，形成高质量训练数据集，标注需由医学专业人员质检。",
    ),
    (
        "s14",
        "ai-models",
        "province",
        "政务热线大模型智能问答",
        "12345热线话务量大，希望基于大模型构建政策知识库问答和工单自动分派，减轻坐席压力。",
    ),
    (
        "s15",
        "compute-energy",
        "guian",
        "数据中心能耗优化",
        "大型数据中心制冷能耗高，需要基于AI的空调群控和PUE优化方案，降低用电成本。",
    ),
    (
        "s16",
        "social-governance",
        "zunyi",
        "基层网格化社会治理",
        "整合网格员巡查、矛盾纠纷调解和事件流转，实现基层社会治理事件发现、分拨、处置闭环。",
    ),
    (
        "s17",
        "industrial-digital",
        "zunyi",
        "白酒酿造过程数字化",
        "酱香白酒企业希望对制曲、发酵、蒸馏工艺参数进行数字化采集分析，稳定基酒品质。",
    ),
    (
        "s18",
        "economic-regulation",
        "province",
        "重点产业经济运行监测",
        "汇聚用电、税收、就业等数据，构建重点产业链经济运行监测指标体系和预警分析。",
    ),
    (
        "s19",
        "digital-culture",
        "qiandongnan",
        "苗族侗族非遗数字化保护",
        "对民族歌舞、银饰刺绣等非物质文化遗产进行高清采集、三维建模和数字化展示传播。",
    ),
    (
        "s20",
        "gov-office",
        "province",
        "机关公文流转与督查督办",
        "厅局之间公文流转仍靠纸质件，需要电子公文交换、领导批示和督查督办事项全程跟踪。",
    ),
    (
        "s21",
        "smart-transport",
        "province",
        "货车超限超载非现场执法",
        "国省干线货车超限超载屡禁不止，需要动态称重检测和车牌识别实现非现场执法取证。",
    ),
    (
        "s22",
        "smart-health",
        "province",
        "医保基金欺诈骗保智能监管",
        "医保基金存在虚假住院、串换药品等骗保行为，需要利用大数据规则和模型筛查可疑结算。",
    ),
    (
        "s23",
        "eco-environment",
        "liupanshui",
        "工业园区大气污染监测",
        "工业园区周边空气异味投诉多，需要网格化微型空气站监测VOCs和颗粒物并追踪排放企业。",
    ),
    (
        "s24",
        "smart-education",
        "province",
        "校园食堂食品安全明厨亮灶",
        "学校食堂后厨需要视频AI识别未戴口罩帽子、老鼠出没等违规行为，家长可在线查看。",
    ),
    (
        "s25",
        "city-ops",
        "anshun",
        "城市内涝积水监测",
        "汛期城市低洼路段积水严重，需要积水深度传感器和排水泵站联动调度平台。",
    ),
    (
        "s26",
        "digital-village",
        "qianxinan",
        "农村电商直播带货服务",
        "帮助合作社开展农产品直播带货，需要电商培训、直播基地运营和冷链物流对接服务。",
    ),
    (
        "s27",
        "smart-elderly",
        "province",
        "社区老年助餐服务管理",
        "社区长者食堂需要助餐补贴人脸核验、订餐配送和服务质量监管的信息化平台。",
    ),
    (
        "s28",
        "emergency-management",
        "province",
        "森林火灾早期识别",
        "林区面积大，需要利用高点视频和卫星热点监测森林火情，实现烟火自动识别和快速报警。",
    ),
    (
        "s29",
        "ai-models",
        "guiyang",
        "Multilingual customer service chatbot for tourists",
        "Foreign tourists need a chatbot that answers questions about attractions, tickets and transport in English and other languages.",
    ),
    (
        "s30",
        "smart-water",
        "province",
        "Reservoir dam safety monitoring",
        "Small reservoirs lack monitoring; we need sensors for dam seepage and deformation with early warning to the water authority.",
    ),
]

# Extra scenarios used only as corpus for the English -> Chinese set.
EXTRA_SCENARIOS = [
    (
        "s31",
        "smart-transport",
        "zunyi",
        "公交智能调度",
        "根据客流数据动态调整公交发车间隔，提升准点率和乘客满意度。",
    ),
    (
        "s32",
        "gov-services",
        "guiyang",
        "企业开办一件事",
        "整合营业执照、刻章、税务登记、社保登记，企业开办一日办结。",
    ),
    (
        "s33",
        "smart-health",
        "bijie",
        "远程心电诊断",
        "乡镇卫生院采集心电图，上传县医院专家远程诊断出具报告。",
    ),
    (
        "s34",
        "market-supervision",
        "guiyang",
        "电梯安全物联网监测",
        "对老旧住宅电梯加装运行监测终端，困人故障自动报警并派单维保。",
    ),
    (
        "s35",
        "eco-environment",
        "province",
        "碳排放核算与监测",
        "对重点排放企业开展碳排放数据核算、报送和核查管理。",
    ),
    (
        "s36",
        "smart-tourism",
        "guiyang",
        "一码游贵州",
        "游客一个二维码完成景区购票、入园核验、酒店预订和投诉。",
    ),
    (
        "s37",
        "compute-energy",
        "guian",
        "算力调度交易平台",
        "整合区域数据中心算力资源，实现算力统一调度、计量和交易结算。",
    ),
    (
        "s38",
        "social-governance",
        "guiyang",
        "矛盾纠纷多元化解",
        "线上受理群众矛盾纠纷，分派调解员并跟踪调解结果和回访。",
    ),
    (
        "s39",
        "industrial-digital",
        "anshun",
        "中小企业上云用数",
        "为中小制造企业提供低成本工业互联网平台和设备联网改造。",
    ),
    (
        "s40",
        "data-elements",
        "province",
        "公共数据授权运营",
        "建设公共数据授权运营平台，数据可用不可见，支撑金融信贷等场景。",
    ),
]

# English free-text queries over the Chinese scenarios: (id, text, {scenario: grade}).
EN_QUERIES = [
    ("e01", "adaptive traffic signal timing to reduce congestion at intersections", {"s01": 2, "s31": 1}),
    ("e02", "online hospital with e-prescriptions and medical insurance payment", {"s02": 2, "s33": 1}),
    ("e03", "river water quality monitoring and tracing pollution sources", {"s03": 2, "s23": 1}),
    ("e04", "fall detection and emergency call for elderly people living alone", {"s04": 2, "s27": 1}),
    ("e05", "cross-province government services with electronic licences", {"s05": 2, "s32": 1}),
    ("e06", "learning analytics to find students' weak points", {"s06": 2}),
    ("e07", "traceability QR codes for tea and agricultural products", {"s07": 2}),
    ("e08", "coal mine gas monitoring and safety early warning", {"s08": 2}),
    ("e09", "visitor flow monitoring and reservations at scenic spots", {"s09": 2, "s36": 1}),
    ("e10", "food company risk grading for inspections", {"s10": 2, "s24": 1}),
    ("e11", "gas pipeline leak detection in the city", {"s11": 2}),
    ("e12", "flash flood warning with rainfall and water level stations", {"s12": 2, "s30": 1}),
    ("e13", "annotating lung CT images to build a training dataset", {"s13": 2}),
    ("e14", "large language model assistant for the 12345 hotline", {"s14": 2}),
    ("e15", "cutting data centre cooling energy and PUE", {"s15": 2, "s37": 1}),
    ("e16", "detecting medical insurance fraud", {"s22": 2}),
    ("e17", "electronic document exchange between government agencies", {"s20": 2}),
    ("e18", "weigh-in-motion enforcement against overloaded trucks", {"s21": 2}),
    ("e19", "forest fire smoke detection from cameras and satellites", {"s28": 2}),
    ("e20", "urban waterlogging sensors and drainage pump dispatch", {"s25": 2}),
    ("e21", "elevator safety monitoring in old residential buildings", {"s34": 2}),
    ("e22", "digitising intangible cultural heritage of ethnic minorities", {"s19": 2}),
]

# English versions of some needs (a tenth of the scenario -> offer queries are English).
EN_SCENARIO_OVERRIDES = {
    "s21": (
        "Off-site enforcement against overloaded trucks",
        "Trucks exceeding weight limits on national and provincial highways; we need weigh-in-motion "
        "scales and licence plate recognition to collect evidence for off-site enforcement.",
    ),
}

# Offers: (id, sector, region, title, description). Ids in QRELS below.
OFFERS = [
    # s01 traffic signal timing
    (
        "o001",
        "smart-transport",
        "province",
        "路口信号自适应控制系统",
        "通过雷达和视频检测实时车流，动态调整信号灯配时方案，减少路口排队和停车次数。",
    ),
    (
        "o002",
        "smart-transport",
        "guiyang",
        "交通大数据拥堵分析平台",
        "汇聚卡口、浮动车数据，分析常发拥堵点成因，为信号优化和交通组织提供决策支持。",
    ),
    (
        "o003",
        "compute-energy",
        "province",
        "5G通信基站信号覆盖优化",
        "针对基站信号弱、掉话问题，提供天线调优和网络覆盖规划服务。",
    ),
    (
        "o004",
        "smart-transport",
        "province",
        "智慧停车诱导系统",
        "路侧泊位地磁检测，停车场余位实时发布，引导车辆快速停车。",
    ),
    # s02 internet hospital
    (
        "o005",
        "smart-health",
        "province",
        "互联网医院一体化平台",
        "支持在线复诊、电子处方流转、药品配送和医保移动支付结算，快速上线县域互联网医院。",
    ),
    (
        "o006",
        "smart-health",
        "zunyi",
        "电子处方流转与药品配送服务",
        "打通医院处方与定点药店，处方审核后药品配送到家，支持医保结算。",
    ),
    (
        "o007",
        "smart-health",
        "province",
        "医院HIS系统运维外包",
        "为医院信息科提供HIS、LIS服务器和网络设备日常运维服务。",
    ),
    (
        "o008",
        "gov-services",
        "province",
        "政务服务在线预约排队",
        "办事大厅在线预约取号、排队叫号和评价，减少群众现场等待。",
    ),
    # s03 water quality
    (
        "o009",
        "eco-environment",
        "province",
        "水质自动监测站建设运维",
        "提供常规五参数、氨氮、总磷水质自动监测站建设与运维，数据实时上传。",
    ),
    (
        "o010",
        "eco-environment",
        "province",
        "流域污染溯源分析平台",
        "结合水质监测断面、排污口和水文数据建模，快速追溯超标污染来源。",
    ),
    (
        "o011",
        "smart-water",
        "province",
        "农村饮用水供水工程智能化",
        "水厂自动化控制与管网压力监测，保障农村供水稳定。",
    ),
    (
        "o012",
        "eco-environment",
        "guiyang",
        "污水处理厂运营托管",
        "承接城镇污水处理厂委托运营，保证出水稳定达标。",
    ),
    # s04 elderly safety
    (
        "o013",
        "smart-elderly",
        "province",
        "独居老人智能监护套装",
        "智能手环、毫米波跌倒检测雷达和一键呼叫按钮，异常情况自动通知家属和社区。",
    ),
    (
        "o014",
        "smart-elderly",
        "guiyang",
        "居家养老紧急呼叫服务平台",
        "7×24小时呼叫中心受理老人紧急求助，联动社区网格员和120上门处置。",
    ),
    (
        "o015",
        "smart-elderly",
        "province",
        "养老机构财务管理软件",
        "养老院床位、收费、护理计费和财务报表管理。",
    ),
    (
        "o016",
        "smart-health",
        "province",
        "可穿戴运动手环健康管理",
        "面向年轻白领的运动步数、睡眠监测手环和健身打卡App。",
    ),
    # s05 cross-province services
    (
        "o017",
        "gov-services",
        "province",
        "电子证照共享互认平台",
        "建设电子证照库，支持跨地区、跨部门证照调用和互认，办事免交纸质材料。",
    ),
    (
        "o018",
        "gov-services",
        "province",
        "跨省通办业务协同系统",
        "打通异地收件、网上审批、结果邮寄流程，高频事项全程网办跨省通办。",
    ),
    ("o019", "smart-transport", "province", "跨省客运联网售票", "汽车客运站跨省联网售票和电子客票系统。"),
    ("o020", "gov-office", "province", "政务外网安全等级保护测评", "为政务网络提供等保2.0测评和整改咨询。"),
    # s06 learning analytics
    (
        "o021",
        "smart-education",
        "province",
        "学情诊断与精准教学系统",
        "自动批改作业和考试，生成每个学生知识点掌握图谱，为教师推送分层作业。",
    ),
    (
        "o022",
        "smart-education",
        "anshun",
        "智慧课堂互动教学平台",
        "课堂实时答题、课堂数据采集分析，辅助教师调整教学节奏。",
    ),
    ("o023", "smart-education", "province", "校园一卡通消费系统", "学生食堂消费、门禁、图书借阅一卡通。"),
    ("o024", "data-elements", "province", "考试阅卷扫描设备租赁", "提供高速扫描仪和阅卷场地设备租赁。"),
    # s07 traceability
    (
        "o025",
        "digital-village",
        "province",
        "农产品一物一码溯源平台",
        "为茶叶、水果等农产品赋码，记录种植、加工、仓储物流信息，消费者扫码查看。",
    ),
    (
        "o026",
        "digital-village",
        "bijie",
        "茶园物联网种植管理",
        "茶园土壤墒情和气象监测，记录施肥用药农事档案，可对接溯源系统。",
    ),
    ("o027", "market-supervision", "province", "药品追溯码监管系统", "药品生产流通环节追溯码采集和监管。"),
    ("o028", "smart-tourism", "province", "景区电子门票二维码", "景区线上售票与二维码检票闸机。"),
    # s08 coal mine
    (
        "o029",
        "emergency-management",
        "province",
        "煤矿安全风险智能预警平台",
        "融合瓦斯浓度、顶板压力、水文监测数据，建立风险分级预警和应急指挥调度。",
    ),
    (
        "o030",
        "emergency-management",
        "liupanshui",
        "井下人员定位与瓦斯监测系统",
        "UWB人员精确定位、瓦斯一氧化碳传感器在线监测，超限自动断电报警。",
    ),
    ("o031", "compute-energy", "province", "煤电企业燃料管理系统", "电厂入厂煤计量、采样化验和库存管理。"),
    (
        "o032",
        "emergency-management",
        "province",
        "危险化学品企业安全生产培训",
        "面向危化品企业员工的安全生产线上培训与考试。",
    ),
    # s09 tourism flow
    (
        "o033",
        "smart-tourism",
        "province",
        "景区客流监测与预警系统",
        "通过闸机、视频和手机信令统计景区实时客流，超过承载量自动预警并发布分流信息。",
    ),
    (
        "o034",
        "smart-tourism",
        "qiannan",
        "景区分时预约票务平台",
        "支持分时段预约入园、实名核验和流量控制，引导游客错峰游览。",
    ),
    ("o035", "smart-transport", "province", "高速公路服务区车流统计", "服务区车辆进出统计和停车位引导。"),
    ("o036", "smart-tourism", "province", "旅游宣传短视频制作", "景区宣传片和短视频内容策划拍摄。"),
    # s10 food risk grading
    (
        "o037",
        "market-supervision",
        "province",
        "食品企业信用风险分级模型",
        "整合监督抽检、投诉举报、行政许可数据，对食品生产企业风险分级，支撑双随机精准检查。",
    ),
    (
        "o038",
        "market-supervision",
        "province",
        "市场监管智慧执法系统",
        "移动执法终端、检查任务派发和执法文书电子化。",
    ),
    (
        "o039",
        "market-supervision",
        "province",
        "食品快检实验室设备",
        "农药残留、兽药残留快速检测仪器和试剂供应。",
    ),
    ("o040", "economic-regulation", "province", "企业信用评级咨询", "为企业发债融资提供主体信用评级服务。"),
    # s11 gas pipeline
    (
        "o041",
        "city-ops",
        "province",
        "燃气管网泄漏监测预警系统",
        "在阀门井、相邻地下空间部署可燃气体传感器，实时监测燃气泄漏并评估爆炸风险。",
    ),
    (
        "o042",
        "city-ops",
        "guiyang",
        "城市生命线安全运行监测平台",
        "覆盖燃气、供水、桥梁等城市生命线的物联感知监测和风险预警。",
    ),
    ("o043", "city-ops", "province", "智慧路灯照明控制", "单灯控制、按需调光的城市路灯节能管理。"),
    ("o044", "compute-energy", "province", "天然气发电项目咨询", "燃气电厂项目可行性研究和能评报告编制。"),
    # s12 flash flood
    (
        "o045",
        "smart-water",
        "province",
        "山洪灾害监测预警系统",
        "自动雨量站、水位站实时监测，超阈值通过广播、短信向危险区群众发布预警。",
    ),
    (
        "o046",
        "smart-water",
        "tongren",
        "小流域洪水预报模型",
        "基于降雨径流模型预测小流域洪峰，支撑提前转移决策。",
    ),
    (
        "o047",
        "emergency-management",
        "province",
        "应急广播系统",
        "县乡村三级应急广播终端建设，可用于灾害预警发布。",
    ),
    ("o048", "smart-water", "province", "灌区渠道量水设施", "农田灌区渠道流量计量和用水管理。"),
    # s13 medical image annotation
    (
        "o049",
        "data-elements",
        "guian",
        "医学影像数据标注服务",
        "由执业医师团队对CT、MRI影像进行病灶勾画标注，多级质检，交付训练数据集。",
    ),
    (
        "o050",
        "data-elements",
        "province",
        "数据标注平台私有化部署",
        "支持图像、文本、语音标注任务分发、审核和质检的标注平台。",
    ),
    (
        "o051",
        "smart-health",
        "province",
        "医学影像云PACS",
        "影像存储与传输系统，支持远程阅片和胶片云端调阅。",
    ),
    (
        "o052",
        "data-elements",
        "province",
        "自动驾驶道路图像标注",
        "车载摄像头图像中车辆、行人、车道线的2D/3D框标注。",
    ),
    # s14 hotline LLM
    (
        "o053",
        "ai-models",
        "province",
        "政务大模型智能问答",
        "基于政策文件构建知识库，大模型生成式问答，辅助12345坐席快速答复群众。",
    ),
    (
        "o054",
        "ai-models",
        "province",
        "热线工单智能分派",
        "利用自然语言理解自动识别诉求类别和承办部门，工单秒级分派。",
    ),
    ("o055", "gov-services", "province", "12345热线话务外包", "提供热线坐席人员外包与排班管理服务。"),
    ("o056", "ai-models", "province", "大模型训练算力租赁", "提供GPU集群用于大模型预训练和微调。"),
    # s15 data centre energy
    (
        "o057",
        "compute-energy",
        "guian",
        "数据中心AI节能群控",
        "基于机器学习优化冷水机组、精密空调群控策略，降低数据中心PUE。",
    ),
    (
        "o058",
        "compute-energy",
        "province",
        "数据中心能耗监测与碳管理",
        "机房电力、制冷能耗分项计量，能效分析与节能诊断。",
    ),
    ("o059", "compute-energy", "guian", "数据中心机柜托管", "提供标准机柜托管和带宽资源。"),
    (
        "o060",
        "city-ops",
        "province",
        "公共建筑空调节能改造",
        "商场、写字楼中央空调变频节能改造合同能源管理。",
    ),
    # s16 grid governance
    (
        "o061",
        "social-governance",
        "province",
        "基层网格化治理平台",
        "网格员移动巡查上报，事件智能分拨、部门处置和考核闭环管理。",
    ),
    (
        "o062",
        "social-governance",
        "zunyi",
        "矛盾纠纷排查调解系统",
        "矛盾纠纷登记、调解员分派、调解过程记录和回访。",
    ),
    ("o063", "city-ops", "province", "城市管理网格化巡检车", "城管巡检车辆与视频采集设备。"),
    ("o064", "gov-office", "province", "基层干部学习培训平台", "基层干部在线学习课程和考试。"),
    # s17 baijiu
    (
        "o065",
        "industrial-digital",
        "zunyi",
        "白酒酿造工艺数字化系统",
        "对制曲、堆积发酵、蒸馏温度湿度等工艺参数实时采集，建模分析基酒品质影响因素。",
    ),
    (
        "o066",
        "industrial-digital",
        "province",
        "食品饮料行业MES系统",
        "面向酒类饮料企业的生产执行、批次追溯和质量管理系统。",
    ),
    ("o067", "market-supervision", "province", "白酒防伪溯源标签", "白酒瓶盖防伪码和渠道窜货管控。"),
    ("o068", "digital-village", "zunyi", "高粱种植基地管理", "酿酒高粱种植基地农事管理和收购结算。"),
    # s18 economic monitoring
    (
        "o069",
        "economic-regulation",
        "province",
        "产业链经济运行监测平台",
        "汇聚用电量、税收、就业、物流等多源数据，构建产业链运行指数和预警模型。",
    ),
    (
        "o070",
        "economic-regulation",
        "province",
        "电力大数据经济分析",
        "以企业用电数据反映复工复产和行业景气程度。",
    ),
    ("o071", "economic-regulation", "province", "统计调查数据采集终端", "统计调查员入户采集平板和App。"),
    (
        "o072",
        "industrial-digital",
        "province",
        "产业园区招商管理系统",
        "园区招商项目跟踪、企业服务和载体管理。",
    ),
    # s19 intangible heritage
    (
        "o073",
        "digital-culture",
        "province",
        "非遗数字化采集与三维建模",
        "对非遗技艺、民族服饰银饰进行高清影像采集、三维扫描建模和数字资源库建设。",
    ),
    (
        "o074",
        "digital-culture",
        "qiandongnan",
        "民族文化数字展厅",
        "利用VR、全息投影建设民族歌舞和刺绣数字化展示馆。",
    ),
    ("o075", "digital-culture", "province", "图书馆数字化借阅系统", "公共图书馆电子书借阅和自助借还设备。"),
    ("o076", "smart-tourism", "qiandongnan", "民族村寨民宿预订", "苗寨侗寨民宿在线预订和点评。"),
    # s20 document workflow
    (
        "o077",
        "gov-office",
        "province",
        "电子公文交换与流转系统",
        "机关之间电子公文收发、签批、归档全流程，支持电子印章和领导批示。",
    ),
    (
        "o078",
        "gov-office",
        "province",
        "督查督办管理系统",
        "领导批示和重点任务立项、分解、催办、反馈全过程跟踪。",
    ),
    ("o079", "gov-office", "province", "视频会议系统", "政务视频会议终端和MCU建设。"),
    ("o080", "gov-services", "province", "档案数字化扫描外包", "纸质档案扫描、著录和数字化加工。"),
    # s21 overloaded trucks
    (
        "o081",
        "smart-transport",
        "province",
        "治超非现场执法系统",
        "动态称重、车牌识别和视频取证，超限超载货车自动抓拍并推送执法。",
    ),
    ("o082", "smart-transport", "province", "货运车辆动态监控平台", "重型货车北斗定位、超速和疲劳驾驶监控。"),
    ("o083", "smart-transport", "province", "电子警察闯红灯抓拍", "城市路口闯红灯、不礼让行人抓拍系统。"),
    ("o084", "industrial-digital", "province", "工厂地磅称重管理", "企业进出厂地磅无人值守称重。"),
    # s22 medical insurance fraud
    (
        "o085",
        "smart-health",
        "province",
        "医保基金智能监管系统",
        "基于知识库规则和机器学习模型筛查虚假住院、串换药品、过度诊疗等可疑结算。",
    ),
    (
        "o086",
        "smart-health",
        "province",
        "医保结算数据分析服务",
        "医保结算数据治理和费用结构分析，辅助稽核。",
    ),
    ("o087", "smart-health", "province", "商业健康保险核保系统", "商业保险公司健康险在线核保和理赔。"),
    ("o088", "smart-health", "guiyang", "医保电子凭证推广", "医保电子凭证激活推广和线下扫码设备。"),
    # s23 industrial air
    (
        "o089",
        "eco-environment",
        "province",
        "园区大气网格化监测",
        "布设微型空气监测站监测VOCs、PM2.5，结合风向溯源异味排放企业。",
    ),
    (
        "o090",
        "eco-environment",
        "liupanshui",
        "企业废气在线监测",
        "固定污染源烟气CEMS和VOCs在线监测设备运维。",
    ),
    ("o091", "eco-environment", "province", "园区污水管网排查", "工业园区雨污管网检测和错接混接排查。"),
    ("o092", "city-ops", "province", "室内空气净化设备", "办公场所空气净化器和新风系统。"),
    # s24 school kitchen
    (
        "o093",
        "smart-education",
        "province",
        "明厨亮灶AI监管系统",
        "后厨摄像头AI识别未戴口罩帽子、老鼠等违规，家长和监管部门可在线查看。",
    ),
    (
        "o094",
        "market-supervision",
        "province",
        "餐饮单位明厨亮灶视频接入",
        "餐饮后厨视频统一接入市场监管平台。",
    ),
    ("o095", "smart-education", "province", "学生营养配餐软件", "学校食堂营养食谱编制与膳食分析。"),
    ("o096", "smart-education", "province", "校园安防视频监控", "校园周界和出入口视频监控系统。"),
    # s25 waterlogging
    (
        "o097",
        "city-ops",
        "province",
        "城市内涝监测预警平台",
        "积水点水位传感器、雨量计实时监测，联动排水泵站调度和道路预警。",
    ),
    ("o098", "smart-water", "anshun", "排水管网智能监测", "排水管网液位、流量监测，识别管网淤堵和溢流。"),
    ("o099", "smart-water", "province", "水库水位遥测", "水库库容水位遥测终端。"),
    ("o100", "city-ops", "province", "道路积雪结冰预警", "冬季桥面结冰监测和融雪设备。"),
    # s26 live commerce
    (
        "o101",
        "digital-village",
        "province",
        "农产品直播电商孵化服务",
        "为合作社提供主播培训、直播间搭建运营和供应链对接。",
    ),
    ("o102", "digital-village", "qianxinan", "县域冷链物流配送", "农产品产地冷库和县乡村冷链配送网络。"),
    ("o103", "digital-village", "province", "乡村数字电视", "农村有线电视数字化改造。"),
    ("o104", "industrial-digital", "province", "直播设备销售", "摄像机、补光灯等直播设备批发。"),
    # s27 elderly meals
    (
        "o105",
        "smart-elderly",
        "province",
        "长者食堂助餐管理平台",
        "老人刷脸就餐核验补贴、订餐送餐和助餐点服务质量监管。",
    ),
    ("o106", "smart-elderly", "province", "养老服务补贴发放系统", "高龄津贴、助餐补贴资格审核与资金发放。"),
    ("o107", "smart-education", "province", "学校食堂订餐系统", "学生在线订餐和食堂结算。"),
    ("o108", "smart-elderly", "province", "适老化改造工程", "老旧小区加装扶手、坡道等适老化施工。"),
    # s28 forest fire
    (
        "o109",
        "emergency-management",
        "province",
        "森林防火视频监测预警系统",
        "高点云台摄像机AI识别烟火，结合卫星热点监测，火情自动报警定位。",
    ),
    (
        "o110",
        "emergency-management",
        "province",
        "林火卫星遥感监测服务",
        "利用卫星遥感热异常数据发现林火并推送核查。",
    ),
    ("o111", "emergency-management", "province", "消防栓物联网监测", "城市消防栓水压监测和盗用报警。"),
    ("o112", "eco-environment", "province", "林业资源调查", "森林资源二类调查和林地变更。"),
    # s29 tourist chatbot (English need)
    (
        "o113",
        "ai-models",
        "province",
        "Multilingual AI travel assistant",
        "A chatbot that answers tourists in English, Japanese and Korean about attractions, tickets, hotels and local transport.",
    ),
    (
        "o114",
        "smart-tourism",
        "province",
        "多语种旅游咨询智能客服",
        "面向境外游客的多语种智能问答，提供景点、门票、交通出行咨询。",
    ),
    (
        "o115",
        "ai-models",
        "province",
        "Speech-to-text for meeting minutes",
        "Transcribes government meetings and drafts minutes automatically.",
    ),
    (
        "o116",
        "smart-tourism",
        "province",
        "Tourism marketing analytics",
        "Social media analytics measuring the reach of destination marketing campaigns.",
    ),
    # s30 dam safety (English need)
    (
        "o117",
        "smart-water",
        "province",
        "水库大坝安全监测系统",
        "布设渗压计、位移计监测大坝渗流和变形，异常自动预警至水行政主管部门。",
    ),
    (
        "o118",
        "smart-water",
        "province",
        "Dam seepage and deformation monitoring",
        "Piezometers, GNSS displacement sensors and an early-warning platform for small and medium reservoirs.",
    ),
    (
        "o119",
        "smart-water",
        "province",
        "Water billing for utilities",
        "Customer billing and smart meter reading for city water utilities.",
    ),
    (
        "o120",
        "city-ops",
        "province",
        "Bridge structural health monitoring",
        "Strain and vibration sensors on urban bridges with a maintenance dashboard.",
    ),
    # Fillers and English offers (no query targets them as grade 2).
    (
        "o121",
        "smart-transport",
        "province",
        "Public transit scheduling optimisation",
        "Bus frequency optimisation based on ridership data and real-time vehicle locations.",
    ),
    (
        "o122",
        "smart-health",
        "province",
        "Telemedicine for rural clinics",
        "Remote consultations and ECG diagnosis between township clinics and county hospitals.",
    ),
    (
        "o123",
        "gov-services",
        "province",
        "Business registration one-stop portal",
        "Company registration, seals, tax and social security registration in one online application.",
    ),
    (
        "o124",
        "data-elements",
        "province",
        "Privacy computing data exchange",
        "Federated learning and secure multi-party computation so data can be used without being seen.",
    ),
    (
        "o125",
        "compute-energy",
        "guian",
        "Computing power scheduling marketplace",
        "Unified scheduling, metering and trading of compute resources across data centres.",
    ),
    (
        "o126",
        "eco-environment",
        "province",
        "Carbon accounting software",
        "Emission inventory, reporting and verification for key emitting enterprises.",
    ),
    (
        "o127",
        "market-supervision",
        "province",
        "Elevator IoT monitoring",
        "Sensors in lifts detect entrapment and faults and dispatch maintenance crews.",
    ),
    (
        "o128",
        "smart-education",
        "province",
        "English speaking practice app",
        "AI oral English assessment for middle school students.",
    ),
    ("o129", "digital-village", "province", "乡村治理积分制平台", "村民参与乡村治理积分兑换和村务公开。"),
    (
        "o130",
        "gov-services",
        "guiyang",
        "企业开办一网通办",
        "营业执照、公章刻制、税务发票、社保登记一次申请一日办结。",
    ),
    (
        "o131",
        "smart-transport",
        "zunyi",
        "公交智能调度系统",
        "基于客流和车辆定位动态调整发车间隔，提升公交准点率。",
    ),
    ("o132", "smart-health", "bijie", "远程心电诊断中心", "基层医疗机构心电图上传，上级医院专家远程诊断。"),
    (
        "o133",
        "market-supervision",
        "guiyang",
        "电梯安全运行监测终端",
        "电梯困人故障自动报警，维保单位在线派单。",
    ),
    (
        "o134",
        "eco-environment",
        "province",
        "企业碳排放核算平台",
        "重点排放单位碳排放数据核算、报送和第三方核查。",
    ),
    ("o135", "smart-tourism", "province", "一码游全域旅游服务", "游客一码购票、入园、订酒店和投诉处理。"),
    ("o136", "compute-energy", "guian", "算力统一调度平台", "跨数据中心算力资源池化、调度和计量结算。"),
    (
        "o137",
        "data-elements",
        "province",
        "公共数据授权运营平台",
        "数据沙箱与隐私计算，实现公共数据可用不可见的授权运营。",
    ),
    (
        "o138",
        "industrial-digital",
        "province",
        "中小企业工业互联网平台",
        "设备联网、生产可视化和低代码应用，帮助中小企业上云用数。",
    ),
    ("o139", "social-governance", "province", "社区人口信息采集", "社区实有人口、房屋信息采集和核验。"),
    ("o140", "emergency-management", "province", "应急物资储备管理", "应急物资库存、调拨和储备点管理。"),
    ("o141", "city-ops", "province", "城市数字孪生底座", "城市三维模型与物联感知数据融合的数字孪生平台。"),
    ("o142", "ai-models", "province", "行业大模型微调服务", "基于开源大模型进行行业语料微调和私有化部署。"),
    ("o143", "smart-elderly", "province", "老年大学在线课程", "老年人书法、摄影、智能手机使用课程。"),
    ("o144", "digital-culture", "province", "数字博物馆线上展览", "文物三维展示和线上虚拟展厅。"),
    ("o145", "smart-water", "province", "河湖长制信息平台", "河长巡河、问题上报和考核管理。"),
    ("o146", "smart-education", "province", "教育资源公共服务平台", "优质课程资源共享和名师课堂直播。"),
    ("o147", "economic-regulation", "province", "价格监测分析系统", "重要民生商品价格采集和波动分析。"),
    ("o148", "gov-office", "province", "移动办公平台", "政务人员移动审批、通讯录和即时消息。"),
    (
        "o149",
        "industrial-digital",
        "province",
        "Predictive maintenance for factory equipment",
        "Vibration sensors and machine learning predict failures of motors and pumps.",
    ),
    (
        "o150",
        "smart-transport",
        "province",
        "Traffic signal controller hardware",
        "Standard traffic signal controllers and LED signal heads for intersections.",
    ),
]

QRELS = {
    "s01": {"o001": 2, "o002": 1, "o150": 1},
    "s02": {"o005": 2, "o006": 1},
    "s03": {"o009": 2, "o010": 2},
    "s04": {"o013": 2, "o014": 2},
    "s05": {"o017": 2, "o018": 2},
    "s06": {"o021": 2, "o022": 1},
    "s07": {"o025": 2, "o026": 1},
    "s08": {"o029": 2, "o030": 2},
    "s09": {"o033": 2, "o034": 2},
    "s10": {"o037": 2, "o038": 1},
    "s11": {"o041": 2, "o042": 2},
    "s12": {"o045": 2, "o046": 2, "o047": 1},
    "s13": {"o049": 2, "o050": 1},
    "s14": {"o053": 2, "o054": 2},
    "s15": {"o057": 2, "o058": 1},
    "s16": {"o061": 2, "o062": 1},
    "s17": {"o065": 2, "o066": 1},
    "s18": {"o069": 2, "o070": 1},
    "s19": {"o073": 2, "o074": 2},
    "s20": {"o077": 2, "o078": 2},
    "s21": {"o081": 2, "o082": 1},
    "s22": {"o085": 2, "o086": 1},
    "s23": {"o089": 2, "o090": 1},
    "s24": {"o093": 2, "o094": 1},
    "s25": {"o097": 2, "o098": 1},
    "s26": {"o101": 2, "o102": 1},
    "s27": {"o105": 2, "o106": 1},
    "s28": {"o109": 2, "o110": 2},
    "s29": {"o113": 2, "o114": 2},
    "s30": {"o117": 2, "o118": 2},
}


def _english(text: str) -> bool:
    return sum(c.isascii() for c in text) > 0.8 * len(text)


def _record(row: tuple[str, str, str, str, str]) -> dict:
    id_, sector, region, title, description = row
    return {
        "id": id_,
        "title": title,
        "description": description,
        "sector": sector,
        "region": region,
        "language": "en" if _english(title + description) else "zh",
    }


def _write(name: str, rows: list[dict]) -> None:
    with open(OUT / name, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    queries = [
        _record((r[0], r[1], r[2], *EN_SCENARIO_OVERRIDES[r[0]]) if r[0] in EN_SCENARIO_OVERRIDES else r)
        for r in SCENARIOS
    ]
    _write("scenario_offer.queries.jsonl", queries)
    _write("scenario_offer.corpus.jsonl", [_record(r) for r in OFFERS])
    _write(
        "scenario_offer.qrels.jsonl",
        [{"query": q, "doc": d, "grade": g} for q, docs in QRELS.items() for d, g in docs.items()],
    )
    _write("en_zh.queries.jsonl", [{"id": q, "title": t, "description": ""} for q, t, _ in EN_QUERIES])
    corpus = [_record(r) for r in SCENARIOS + EXTRA_SCENARIOS if not _english(r[3])]
    _write("en_zh.corpus.jsonl", corpus)
    _write(
        "en_zh.qrels.jsonl",
        [{"query": q, "doc": d, "grade": g} for q, _, docs in EN_QUERIES for d, g in docs.items()],
    )
    print(
        json.dumps(
            {
                "offers": len(OFFERS),
                "scenarios": len(SCENARIOS),
                "en_queries": len(EN_QUERIES),
                "en_zh_corpus": len(corpus),
            }
        )
    )


if __name__ == "__main__":
    main()
