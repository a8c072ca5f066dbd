"""Regenerate the fixtures that tabular.rs reads in its tests.

    pip install openpyxl
    python3 gen_openpyxl.py

openpyxl.xlsx stands for "an .xlsx written by another program"; gbk.csv for
what Excel in China saves as "CSV (逗号分隔)" (GBK, no BOM, CRLF); legacy.xls
(written with xlwt, `pip install xlwt`, when installed) for the old binary
format that WPS and older systems still produce.
"""

import datetime
import os

from openpyxl import Workbook

HERE = os.path.dirname(os.path.abspath(__file__))

wb = Workbook()
ws = wb.active
ws.title = "名单"
ws.append(["统一社会信用代码*", "名称（必填）", "成立日期", "从业人员", "金额", "是否年检", "登记时间", "备注"])
ws.append(
    [
        "51370500MJD123456X",
        "  东营市爱心志愿者协会 ",
        datetime.date(2019, 5, 8),
        6,
        1234.5,
        True,
        datetime.datetime(2024, 3, 1, 8, 30, 0),
        "第一行\n第二行",
    ]
)
ws["C2"].number_format = "yyyy-mm-dd"
ws["G2"].number_format = "yyyy-mm-dd hh:mm:ss"
# Row 3 stays blank; row 4 has only whitespace.
ws["B4"] = "   "
ws.append([])  # row 5 (append goes after the last used row, 4)
ws["A5"] = "110101199001011234"  # an 18-digit code kept as text
ws["B5"] = "某某协会"
ws["C5"] = datetime.date(2020, 12, 31)
ws["C5"].number_format = 'yyyy"年"m"月"d"日"'
ws["D5"] = 120.0
ws["E5"] = 0.1 + 0.2
ws["F5"] = False
ws["G5"] = 110101199001011234  # the same code stored as a number: precision is lost
ws["H5"] = "=D2+D5"  # a formula without a cached value
ws.column_dimensions["A"].width = 24

other = wb.create_sheet("其他")
other["A1"] = "不应读取"

wb.save(os.path.join(HERE, "openpyxl.xlsx"))

csv_text = '姓名,身份证号,备注\r\n张三,110101199001011234,"多行\r\n备注"\r\n\r\n,,\r\n李四,,普通\r\n'
with open(os.path.join(HERE, "gbk.csv"), "wb") as f:
    f.write(csv_text.encode("gbk"))

try:
    import xlwt
except ImportError:
    xlwt = None

if xlwt is not None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for col, h in enumerate(["名称*", "身份证号", "成立日期", "人数", "金额"]):
        sheet.write(1, col, h)  # the header is on row 2; row 1 is empty
    sheet.write(2, 0, " 甲协会 ")
    sheet.write(2, 1, "110101199001011234")
    sheet.write(2, 2, datetime.date(2019, 5, 8), date_style)
    sheet.write(2, 3, 6)
    sheet.write(2, 4, 1234.5)
    sheet.write(4, 0, "乙协会")  # row 4 is empty
    sheet.write(4, 3, True)
    book.add_sheet("其他").write(0, 0, "不应读取")
    book.save(os.path.join(HERE, "legacy.xls"))

# unique_count.xlsx: a valid workbook whose shared-strings part claims 10^11
# strings. calamine 0.38 reserves that many up front (2.4 TB) and the
# allocator aborts the process; tabular.rs must refuse it before calamine.
import zipfile

base = Workbook()
base.active["A1"] = "名称"
base.active["A2"] = "甲"
base_path = os.path.join(HERE, "_base.xlsx")
base.save(base_path)
with zipfile.ZipFile(base_path) as zin, zipfile.ZipFile(
    os.path.join(HERE, "unique_count.xlsx"), "w", zipfile.ZIP_DEFLATED
) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "[Content_Types].xml":
            data = data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if item.filename == "xl/_rels/workbook.xml.rels":
            data = data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        zout.writestr(item.filename, data)
    zout.writestr(
        "xl/sharedStrings.xml",
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>a</t></si></sst>',
    )
os.remove(base_path)
