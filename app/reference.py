"""Reference data that never changes at run time: Shanghai's 16 districts (区) and their streets and towns (街镇)."""

from __future__ import annotations

from enum import StrEnum


class District(StrEnum):
    """上海市 16 个区. Values are stable English slugs; labels are the Chinese names."""

    huangpu = "huangpu"
    xuhui = "xuhui"
    changning = "changning"
    jingan = "jingan"
    putuo = "putuo"
    hongkou = "hongkou"
    yangpu = "yangpu"
    minhang = "minhang"
    baoshan = "baoshan"
    jiading = "jiading"
    pudong = "pudong"
    jinshan = "jinshan"
    songjiang = "songjiang"
    qingpu = "qingpu"
    fengxian = "fengxian"
    chongming = "chongming"

    @classmethod
    def _missing_(cls, value: object) -> District | None:
        # People type the Chinese name ("长宁区", or "长宁"); accept it for the code. pydantic calls this too.
        if isinstance(value, str):
            for district, name in DISTRICT_NAMES_ZH.items():
                if value.strip() in (name, name.removesuffix("区"), name.removesuffix("新区")):
                    return district
        return None


DISTRICT_NAMES_ZH: dict[District, str] = {
    District.huangpu: "黄浦区",
    District.xuhui: "徐汇区",
    District.changning: "长宁区",
    District.jingan: "静安区",
    District.putuo: "普陀区",
    District.hongkou: "虹口区",
    District.yangpu: "杨浦区",
    District.minhang: "闵行区",
    District.baoshan: "宝山区",
    District.jiading: "嘉定区",
    District.pudong: "浦东新区",
    District.jinshan: "金山区",
    District.songjiang: "松江区",
    District.qingpu: "青浦区",
    District.fengxian: "奉贤区",
    District.chongming: "崇明区",
}


# 街道、镇、乡 of each district (the 215 township-level divisions, 上海市行政区划 2024), in the order the districts'
# own lists use. A pick-list for people, not a rule: registration accepts any street (the API's schema), and a street
# service centre's street joins the list wherever an officer designated one.
# fmt: off
STREETS_ZH: dict[District, tuple[str, ...]] = {
    District.huangpu: (
        "南京东路街道", "外滩街道", "半淞园路街道", "小东门街道", "豫园街道", "老西门街道", "五里桥街道",
        "打浦桥街道", "淮海中路街道", "瑞金二路街道",
    ),
    District.xuhui: (
        "天平路街道", "湖南路街道", "斜土路街道", "枫林路街道", "长桥街道", "田林街道", "虹梅路街道",
        "康健新村街道", "徐家汇街道", "凌云路街道", "龙华街道", "漕河泾街道", "华泾镇",
    ),
    District.changning: (
        "华阳路街道", "江苏路街道", "新华路街道", "周家桥街道", "天山路街道", "仙霞新村街道", "虹桥街道",
        "程家桥街道", "北新泾街道", "新泾镇",
    ),
    District.jingan: (
        "江宁路街道", "石门二路街道", "南京西路街道", "静安寺街道", "曹家渡街道", "天目西路街道", "北站街道",
        "宝山路街道", "共和新路街道", "大宁路街道", "彭浦新村街道", "临汾路街道", "芷江西路街道", "彭浦镇",
    ),
    District.putuo: (
        "曹杨新村街道", "长风新村街道", "长寿路街道", "甘泉路街道", "石泉路街道", "宜川路街道", "万里街道",
        "真如镇街道", "长征镇", "桃浦镇",
    ),
    District.hongkou: (
        "欧阳路街道", "曲阳路街道", "广中路街道", "嘉兴路街道", "凉城新村街道", "四川北路街道", "北外滩街道",
        "江湾镇街道",
    ),
    District.yangpu: (
        "定海路街道", "平凉路街道", "江浦路街道", "四平路街道", "控江路街道", "长白新村街道", "延吉新村街道",
        "殷行街道", "大桥街道", "五角场街道", "新江湾城街道", "长海路街道",
    ),
    District.minhang: (
        "江川路街道", "古美街道", "新虹街道", "浦锦街道", "莘庄镇", "七宝镇", "颛桥镇", "华漕镇", "虹桥镇",
        "梅陇镇", "吴泾镇", "马桥镇", "浦江镇",
    ),
    District.baoshan: (
        "友谊路街道", "吴淞街道", "张庙街道", "罗店镇", "大场镇", "杨行镇", "月浦镇", "罗泾镇", "顾村镇",
        "高境镇", "庙行镇", "淞南镇",
    ),
    District.jiading: (
        "新成路街道", "真新街道", "嘉定镇街道", "南翔镇", "安亭镇", "马陆镇", "徐行镇", "华亭镇", "外冈镇",
        "江桥镇",
    ),
    District.pudong: (
        "潍坊新村街道", "陆家嘴街道", "周家渡街道", "塘桥街道", "上钢新村街道", "南码头路街道", "沪东新村街道",
        "金杨新村街道", "洋泾街道", "浦兴路街道", "东明路街道", "花木街道", "川沙新镇", "高桥镇", "北蔡镇",
        "合庆镇", "唐镇", "曹路镇", "金桥镇", "高行镇", "高东镇", "张江镇", "三林镇", "惠南镇", "周浦镇",
        "新场镇", "大团镇", "康桥镇", "航头镇", "祝桥镇", "泥城镇", "宣桥镇", "书院镇", "万祥镇", "老港镇",
        "南汇新城镇",
    ),
    District.jinshan: (
        "石化街道", "朱泾镇", "枫泾镇", "张堰镇", "亭林镇", "吕巷镇", "廊下镇", "金山卫镇", "漕泾镇", "山阳镇",
    ),
    District.songjiang: (
        "岳阳街道", "永丰街道", "方松街道", "中山街道", "广富林街道", "九里亭街道", "泗泾镇", "佘山镇", "车墩镇",
        "新桥镇", "洞泾镇", "九亭镇", "泖港镇", "石湖荡镇", "新浜镇", "叶榭镇", "小昆山镇",
    ),
    District.qingpu: (
        "夏阳街道", "盈浦街道", "香花桥街道", "朱家角镇", "练塘镇", "金泽镇", "赵巷镇", "徐泾镇", "华新镇",
        "重固镇", "白鹤镇",
    ),
    District.fengxian: (
        "西渡街道", "奉浦街道", "金海街道", "南桥镇", "奉城镇", "庄行镇", "金汇镇", "四团镇", "青村镇", "柘林镇",
        "海湾镇",
    ),
    District.chongming: (
        "城桥镇", "堡镇", "新河镇", "庙镇", "竖新镇", "向化镇", "三星镇", "港沿镇", "中兴镇", "陈家镇", "绿华镇",
        "港西镇", "建设镇", "新海镇", "东平镇", "长兴镇", "新村乡", "横沙乡",
    ),
}
# fmt: on
