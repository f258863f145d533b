# accidents.csv saved as UTF-16LE with BOM (Excel "Unicode text").
recode data/bx/accidents.csv utf-16-le bom
