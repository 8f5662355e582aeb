"""Reference data that never changes at run time: Shanghai's 16 districts (区)."""

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
