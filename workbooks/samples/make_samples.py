"""Writes the small sample workbooks in this folder (deterministic: the same files every run).

    python3 workbooks/samples/make_samples.py     # needs: pip install openpyxl

gl-detail.xlsx       an ERP "GL Detail" export: title rows above a two-line header, subtotal
                     and grand-total rows inside the data, a typo in one amount, and a
                     Sites sheet with enrollment, poverty share and Title I flags.
vendor-payments.csv  a dirty CSV: Windows-1252 text, accounting negatives, US dates, and site
                     codes whose leading zeros were lost.
"""
import datetime as dt
import os
import random

import openpyxl
from openpyxl.styles import Font

HERE = os.path.dirname(os.path.abspath(__file__))
SITES = [("001", "Lincoln Elementary", 412, 0.68, True), ("002", "Washington Elementary", 388, 0.41, False),
         ("003", "Roosevelt Middle", 655, 0.57, True), ("004", "Jefferson Middle", 602, 0.33, False),
         ("005", "Central High", 1240, 0.49, True), ("010", "District Office", 0, None, False)]
VENDORS = ["Acme School Supply", "Office Depot", "Pearson Education", "Dell Marketing", "Sysco Food Services",
           "Scholastic Book Fairs", "Lakeshore Learning", "Grainger", "Café Olé Catering", "O’Brien Plumbing"]
ITEMS = ["Classroom supplies", "Copier paper", "Textbooks", "Chromebooks", "Cafeteria food", "Library books",
         "Custodial supplies", "Field trip bus", "Professional development", "Science kits"]
OWNERS = ["M. Alvarez", "J. Chen", "P. Okafor", "S. Nguyen", "R. Patel", ""]


def ledger_rows(rng, count):
    start = dt.date(2024, 7, 1)
    for index in range(count):
        site = SITES[rng.randrange(len(SITES))][0]
        function, obj = rng.choice([("11", "6399"), ("11", "6411"), ("13", "6299"), ("35", "6341"), ("41", "6399")])
        yield {
            "posted": start + dt.timedelta(days=rng.randrange(330)),
            "journal": f"AP-{24000 + index:06d}",
            "account": f"199-{function}-{obj}-00-{site}",
            "site": site,
            "vendor": rng.choice(VENDORS),
            "description": rng.choice(ITEMS),
            "owner": rng.choice(OWNERS),
            "amount": round(rng.uniform(-200, 4800), 2),
        }


def write_xlsx(rng):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "GL Detail"
    sheet.append(["Springfield Unified School District"])
    sheet.append(["GL Detail Report — Fiscal Year 2025", None, "Periods 1 to 11"])
    sheet.append(["Printed 06/02/2025 by finance"])
    sheet.append([])
    header = ["Posting\nDate", "Journal", "Account", "Site", "Vendor", "Description", "Budget Owner", "Amount"]
    sheet.append(header)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    rows = sorted(ledger_rows(rng, 180), key=lambda row: row["posted"])
    subtotal = 0.0
    for number, row in enumerate(rows, start=1):
        amount = row["amount"]
        if number == 37:
            amount = "12,5O0.00"   # a typed-over amount: the letter O instead of a zero
        sheet.append([row["posted"], row["journal"], row["account"], row["site"], row["vendor"], row["description"],
                      row["owner"], amount])
        current = sheet.max_row
        sheet.cell(current, 1).number_format = "mm/dd/yyyy"
        sheet.cell(current, 8).number_format = "#,##0.00_);(#,##0.00)"
        if isinstance(amount, float):
            subtotal += amount
        if number == 120:
            sheet.append(["Total Fund 199", None, None, None, None, None, None, round(subtotal, 2)])
    sheet.append([])
    sheet.append(["Grand Total", None, None, None, None, None, None, round(subtotal, 2)])
    sheet.freeze_panes = "A6"

    sites = workbook.create_sheet("Sites")
    sites.append(["Site Code", "Site Name", "Oct 1 Enrollment", "% FRL", "Title I"])
    for code, name, enrollment, poverty, title_one in SITES:
        sites.append([code, name, enrollment, poverty, title_one])
        if poverty is not None:
            sites.cell(sites.max_row, 4).number_format = "0%"
    workbook.properties.creator = "Pathways sample generator"
    workbook.properties.created = dt.datetime(2025, 6, 2)
    workbook.properties.modified = dt.datetime(2025, 6, 2)
    workbook.save(os.path.join(HERE, "gl-detail.xlsx"))


def write_csv(rng):
    lines = ["Check Date,Check No,Vendor,Site,Object,Amount,Description"]
    for index, row in enumerate(ledger_rows(rng, 60)):
        amount = row["amount"]
        shown = f"({abs(amount):,.2f})" if amount < 0 else f"{amount:,.2f}"
        site = str(int(row["site"]))   # leading zeros lost, as after a round trip through Excel
        vendor = row["vendor"]
        lines.append(f'{row["posted"].month}/{row["posted"].day}/{row["posted"].year},{50100 + index},'
                     f'"{vendor}",{site},{row["account"].split("-")[2]},"{shown}",{row["description"]} – {row["journal"]}')
    with open(os.path.join(HERE, "vendor-payments.csv"), "wb") as handle:
        handle.write(("\r\n".join(lines) + "\r\n").encode("cp1252"))


if __name__ == "__main__":
    write_xlsx(random.Random(2025))
    write_csv(random.Random(1999))
