# Writes region_ok/reserves.csv in GB18030, as Chinese Excel saves CSV.
text = ("年份,物资,储备方式,储备数量\r\n"
        "2025,成品粮,实物,120000\r\n"
        "2025,成品粮,协议,80000\r\n"
        "2025,帐篷,实物,300\r\n")
with open("region_ok/reserves.csv", "wb") as f:
    f.write(text.encode("gb18030"))

# region_bad_enc/economy.csv is UTF-16 ("Unicode text" in Excel), which is refused.
with open("region_bad_enc/economy.csv", "wb") as f:
    f.write("year,gdp\r\n2021,1\r\n".encode("utf-16"))
