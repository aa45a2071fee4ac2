"""Writes tests/data/pii_cases.json: the labelled personal-data corpus (run it after editing a case).

Check characters of ID numbers, bank cards and credit codes are computed here, so every positive is
a *valid* number and every look-alike negative is exactly what it claims to be.

    PYTHONPATH=. .venv/bin/python tests/data/make_pii_cases.py
"""

from __future__ import annotations

import json
from pathlib import Path

from portal.domain.pii import luhn_ok
from portal.domain.uscc import check_char

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def idc(b17: str) -> str:
    return b17 + "10X98765432"[sum(int(d) * w for d, w in zip(b17, _ID_WEIGHTS, strict=True)) % 11]


def luhn(p: str) -> str:
    return next(p + d for d in "0123456789" if luhn_ok(p + d))


def digit_uscc(prefix14: str) -> str:
    for n in range(1000):
        base = prefix14 + f"{n:03d}"
        c = check_char(base)
        if c.isdigit():
            return base + c
    raise ValueError(prefix14)


ID1 = "11010519491231002X"
ID2 = idc("52010219900101123")
ID3 = idc("44030619851231567")
CN = str.maketrans("0123456789", "零一二三四五六七八九")
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
M, L, E, ID, B, P = "mobile", "landline", "email", "id_number", "bank_card", "phone"
CARD = luhn("622202123456789012")
CARD16 = luhn("621700123412341")
cases: list[dict[str, object]] = []


def pos(variant: str, text: str, *kinds: str) -> None:
    cases.append({"variant": variant, "text": text, "kinds": sorted(set(kinds))})


def neg(variant: str, text: str) -> None:
    cases.append({"variant": variant, "text": text, "kinds": []})


# ---------------------------------------------------------------- mobiles
pos("mobile plain", "如有疑问请联系13800138000。", M)
pos("mobile dashes", "联系人手机 138-0013-8000，工作日可拨打", M)
pos("mobile spaces", "手机号 138 0013 8000", M)
pos("mobile dots", "手机138.0013.8000", M)
pos("mobile middle dots", "手机138·0013·8000", M)
pos("mobile underscores", "手机138_0013_8000", M)
pos("mobile em dashes", "手机 138—0013—8000", M)
pos("mobile full-width", "手机１３８００１３８０００", M)
pos("mobile full-width spaced", "手机：１３８　００１３　８０００", M)
pos("mobile mixed width", "手机1３8-００13-8000", M)
pos("mobile chinese numerals", "请拨打一三八零零一三八零零零", M)
pos("mobile chinese numerals spaced", "电话：一三八 零零一三 八零零零", M)
pos("mobile formal numerals", "联系壹叁捌零零壹叁捌零零零", M)
pos("mobile yao for one", "联系幺三八零零幺三八零零零", M)
pos("mobile mixed numerals", "电话139零零零零1234", M)
pos("mobile every digit spaced", "手机 1 3 8 0 0 1 3 8 0 0 0", M)
pos("mobile +86", "Tel +86 138 0013 8000", M)
pos("mobile +86 dash", "+86-13800138000", M)
pos("mobile 0086", "0086 13800138000", M)
pos("mobile bracketed +86", "（+86）13800138000", M)
pos("mobile trunk zero", "拨打 013800138000", M)
pos("mobile after a year", "2024年起由王工负责，2024 138 0013 8000", M)
pos("mobile in english", "Call Mr Wang at 139-1234-5678 for access.", M)
pos("mobile after a name", "数据接口联系人：李工 15985012345", M)
# ---------------------------------------------------------------- landlines
pos("landline dash", "咨询电话0851-86823456", L)
pos("landline full-width brackets", "电话（0851）86823456", L)
pos("landline brackets spaced", "电话 (0851) 8682 3456", L)
pos("landline full-width digits", "电话０８５１－８６８２３４５６", L)
pos("landline chinese numerals", "电话〇八五一 八六八二三四五六", L)
pos("landline beijing", "北京办公室 010-62345678", L)
pos("landline shanghai spaced", "上海 021 6234 5678", L)
pos("landline dotted", "传真0851.8682.3456", L)
pos("landline extension", "Tel: (0851) 8682-3456 转 801", L)
pos("landline lenticular brackets", "【0851】86823456", L)
pos("landline local after keyword", "电话：86823456", L)
pos("landline local spaced after keyword", "座机 8682-3456", L)
pos("landline seven digits", "固话 0857-8223456", L)
# ---------------------------------------------------------------- other phones
pos("phone hong kong", "香港办事处 +852 2123 4567", P)
pos("phone international", "US office +1 415 555 0100", P)
# ---------------------------------------------------------------- ID numbers
pos("id plain", f"身份证号{ID1}", ID)
pos("id lower-case x", f"身份证号 {ID1.lower()}", ID)
pos("id spaced groups", f"身份证 {ID1[:6]} {ID1[6:14]} {ID1[14:]}", ID)
pos("id dashes", "证件号 " + "-".join([ID2[:4], ID2[4:8], ID2[8:12], ID2[12:16], ID2[16:]]), ID)
pos("id full-width", f"身份证{ID1.translate(FW)}", ID)
pos("id chinese numerals", f"身份证{ID1[:17].translate(CN)}X", ID)
pos("id numeric check digit", f"负责人证件 {ID3}", ID)
pos("id dotted", "证件号" + ".".join([ID3[:6], ID3[6:14], ID3[14:]]), ID)
pos("id in english", f"ID card: {ID2}", ID)
# ---------------------------------------------------------------- e-mail addresses
pos("email plain", "邮箱zhangsan@example.com", E)
pos("email full-width at and dot", "邮箱zhangsan＠example．com", E)
pos("email all full-width", "邮箱ｚｈａｎｇｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", E)
pos("email spaced", "邮箱 zhangsan @ example . com", E)
pos("email at dot words", "write to zhangsan at example dot com", E)
pos("email AT DOT upper", "zhangsan AT example DOT com", E)
pos("email (at)(dot)", "zhangsan(at)example(dot)com", E)
pos("email [at][dot]", "zhangsan[at]example[dot]com", E)
pos("email {at}{dot}", "zhangsan {at} example {dot} com", E)
pos("email corner brackets at", "邮箱zhangsan「at」example.com", E)
pos("email lenticular brackets", "zhangsan【at】example【dot】com", E)
pos("email full-width brackets", "zhangsan（at）example（dot）com", E)
pos("email hash for at", "邮箱 zhangsan#qq.com（#换成@）", E)
pos("email chinese at and dot", "邮箱zhangsan艾特163点com", E)
pos("email ideographic full stop", "邮箱zhangsan@example。com", E)
pos("email plain at with provider", "contact zhangsan at qq.com", E)
pos("email government domain", "邮箱：li.na_01@gz.gov.cn。", E)
pos("email digits local part", "邮箱13800138000@163.com", E)
pos("email subaddress", "wang.lei+scenario@example.org.cn", E)
# ---------------------------------------------------------------- bank cards
pos("bank card plain", f"收款账号{CARD}", B)
pos("bank card spaced", "卡号 " + " ".join(CARD[i : i + 4] for i in range(0, len(CARD), 4)), B)
pos("bank card full-width", f"卡号{CARD.translate(FW)}", B)
pos("bank card visa", "card 4111 1111 1111 1111", B)
pos("bank card chinese numerals", f"卡号{CARD16.translate(CN)}", B)
# ---------------------------------------------------------------- several in one text
pos("three kinds", f"联系人王磊，手机 139 0000 1234，邮箱 wanglei＠example．gov．cn，身份证{ID3}。", M, E, ID)
pos("phone and email in english", "Reach Li Na on +86 135 1234 5678 or li.na at example dot com.", M, E)

# ---------------------------------------------------------------- hard negatives
neg("budget 18 digits", "预算100000000000000000元")
neg("budget 18 digits no unit", "预算 100000000000000000")
neg("budget phone-like yuan", "总投资13800000000元")
neg("budget phone-like spaced yuan", "预算13 800 000 000元")
neg("budget phone-like currency sign", "合同价¥13800138000")
neg("budget thousands separators", "预算13,800,138,000元")
neg("budget wan", "预算 1500 万元，分 3 期支付")
neg("budget decimals", "预算 4,500,000.00 元")
neg("visits phone-like", "年服务 13900000000 人次")
neg("price", "每套 1380 元，共 88 套")
neg("uscc letters", "统一社会信用代码 91520100MA6DLTEP3K")
neg("uscc all digits 9", f"统一社会信用代码 {digit_uscc('91520100709876')}")
neg("uscc all digits 1", f"机构代码 {digit_uscc('11520000012345')}")
neg("uscc all digits 5", f"社会组织 {digit_uscc('53520100508765')}")
neg("id wrong check digit", f"编号 {ID2[:17]}{'0' if ID2[17] != '0' else '1'}")
neg("id impossible birth date", "编号 520102199013321234")
neg("order number 18 digits", "订单号 202412310000138001")
neg("scenario id", "参见场景 SC-2024-000123 与场景 #85")
neg("dates", "2026-11-25至2027-03-31实施，第3批清单。")
neg("dotted dates", "2024.12.31 前完成，2025.01.15 验收")
neg("compact date time", "时间戳 20241231235959")
neg("date and time", "2024-12-31 13:00:00 开标")
neg("years range", "统计期 2015—2024 年，共 10 年")
neg("chinese date", "二〇二四年十二月三十一日截止")
neg("chinese counting", "一二三四五六七八九十，十一五规划，一带一路")
neg("percentages", "准确率达到99.5%，响应时间≤200毫秒，2,000,000条记录。")
neg("area", "面积 1380013800 平方米")
neg("service hotline 12345", "政务服务热线 12345，报警 110，急救 120")
neg("corporate hotline 400", "客服热线 400-820-8820")
neg("ip address", "服务器 192.168.100.200")
neg("coordinates", "坐标 106.630153, 26.647661")
neg("version and isbn", "版本 v1.3.8，参考书 ISBN 978-7-111-54742-6")
neg("standards", "符合 GB 11643-1999 与 GB/T 35273-2020")
neg("english prose at", "Documentation is available at github.com/example/portal")
neg("english prose at 2", "Meet at city.hall at 9.30")
neg("csharp", "使用 C#.NET 开发，见 issue#12.md")
neg("email word", "Email-based workflow with 3 phases.")
neg("phone words only", "联系方式请登录后查看，电话会议每周一次")
neg("luhn invalid 16 digits", "批次号 6222021234567891")
neg("ratio decimals", "增长率 1.38001380")
neg("url", "详见 https://www.guizhou.gov.cn/zwgk/2024/1380013.html")
neg("indicator values", "识别准确率≥95%，日处理 30000 张，覆盖 88 个乡镇")

if __name__ == "__main__":
    out = Path(__file__).with_name("pii_cases.json")
    out.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    positives = sum(1 for c in cases if c["kinds"])
    print(f"{len(cases)} cases: {positives} positives, {len(cases) - positives} negatives -> {out}")
