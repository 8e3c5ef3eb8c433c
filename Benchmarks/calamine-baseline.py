"""python-calamine reading the same workbook to Python lists: the reference the issue sets."""
import sys
import time

from python_calamine import CalamineWorkbook

start = time.perf_counter()
workbook = CalamineWorkbook.from_path(sys.argv[1])
rows = 0
for name in workbook.sheet_names:
    rows += len(workbook.get_sheet_by_name(name).to_python())
seconds = time.perf_counter() - start
print(f"python-calamine: {rows} rows in {seconds:.2f} s = {rows / seconds:.0f} rows/s")
