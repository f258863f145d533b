# Catalogue: numerator ps_deathz (line 11 column 24).
replace indicators/catalogue.yaml "numerator: ps_deaths," "numerator: ps_deathz,"
