"""Write an import file of N valid organizations (the template's columns) to stdout.

    python3 bench/make_csv.py 100000 > import.csv

Registered associations of 东营市 with valid credit codes (both check
characters computed as GB 32100-2015 prescribes) and unique names.
"""
import random
import sys

CH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W17 = [pow(3, i, 31) for i in range(17)]
HEAD = ("统一社会信用代码,组织名称,组织类型,登记方式,类别,所属行业,登记管理机关区划代码,业务主管单位,住所区划代码,住所地址,"
        "经度,纬度,法定代表人,成立日期,从业人员数,会员数,章程含党建内容,枢纽型组织,品牌组织,孵化基地,登记状态,监管分类")
THEMES = ["物流行业协会", "餐饮行业协会", "志愿者协会", "慈善协会", "科技学会", "书法家协会", "养老服务协会", "环保协会"]
PLACES = ["370502001011", "370502001013", "370502002", "370502003", "370503001", "370505001", "370522001", "370523001"]


def org_check(body):
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * x for c, x in zip(body, w))
    c = 11 - s % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def code(n):
    body = "B"
    for _ in range(7):
        body = body[:1] + CH[n % 31] + body[1:]
        n //= 31
    first = "5137050" + "0" + body + org_check(body)
    c = 31 - sum(CH.index(ch) * w for ch, w in zip(first, W17)) % 31
    return first + CH[0 if c == 31 else c]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rnd = random.Random(7)
    out = sys.stdout
    out.write(HEAD + "\n")
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        name = f"导入测试{i}号{rnd.choice(THEMES)}"
        out.write(f"{code(i)},{name},社会团体,登记,公益慈善类,,3705,,{place},,,,张伟,2019-05-0{1 + i % 9},{i % 50},{i % 300},是,否,否,,正常,\n")


main()
