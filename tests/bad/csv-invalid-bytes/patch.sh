# economy.csv: bytes 0x80 0xFF in line 4 (neither UTF-8 nor GB18030).
insert_bytes data/bx/economy.csv "2022,60" 80ff
