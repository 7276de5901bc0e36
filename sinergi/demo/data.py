"""Fixed word lists the demo scenario draws from: regions, names, products. All invented.

The 14 first model regions are the public ones (DOMAIN.md); the other 7 stand in for the
unpublished ones and are marked illustrative. Names mix the naming customs of each region
with common Indonesian names, so lists and search pages look like a real registry.
"""

from __future__ import annotations

from sinergi.registry.choices import Sector

PASSWORD = "sinergi-demo"  # noqa: S105 - the published demo password (ARCHITECTURE.md)

# fmt: off

# (Kemendagri code, illustrative). The first 14 signed their MoU in 2016.
MODEL_REGIONS: tuple[tuple[str, bool], ...] = (
    ("61.08", False),  # Landak
    ("33.17", False),  # Rembang
    ("33.24", False),  # Kendal
    ("33.07", False),  # Wonosobo
    ("36.72", False),  # Kota Cilegon
    ("16.71", False),  # Kota Palembang
    ("52.02", False),  # Lombok Tengah
    ("53.15", False),  # Manggarai Barat
    ("53.18", False),  # Sumba Barat Daya
    ("82.71", False),  # Kota Ternate
    ("13.04", False),  # Tanah Datar
    ("32.09", False),  # Cirebon
    ("19.04", False),  # Bangka Tengah
    ("18.01", False),  # Lampung Selatan
    ("18.07", True),  # Lampung Timur (ran IR activities: likely)
    ("21.03", True),  # Natuna (likely)
    ("11.13", True),  # Gayo Lues (likely)
    ("73.06", True),  # Gowa (picked for the demo)
    ("12.12", True),  # Toba (picked for the demo)
    ("63.03", True),  # Banjar (picked for the demo)
    ("35.29", True),  # Sumenep (picked for the demo)
)

# Naming custom per province; a fifth of actors anywhere get common Indonesian names.
CULTURE_BY_PROVINCE = {
    "11": "aceh",
    "12": "batak",
    "13": "minang",
    "16": "melayu",
    "18": "lampung",
    "19": "melayu",
    "21": "melayu",
    "32": "sunda",
    "33": "jawa",
    "35": "madura",
    "36": "sunda",
    "52": "sasak",
    "53": "ntt",
    "61": "dayak",
    "63": "banjar",
    "73": "bugis",
    "82": "ternate",
}

# culture -> (given names, second names); a name is one given name plus, usually, a second.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "umum": (
        ("Siti", "Nur", "Dewi", "Ratna", "Indah", "Fitri", "Yanti", "Wati", "Rina", "Ani",
         "Nurul", "Dian", "Eka", "Sari", "Yuli", "Lina", "Ida", "Rika", "Maya", "Novi"),
        ("Aminah", "Aisyah", "Kurniawati", "Rahmawati", "Handayani", "Susanti", "Fitriani",
         "Yuliani", "Purnamasari", "Permatasari", "Anggraini", "Safitri", "Maryani", "Hidayah"),
    ),
    "jawa": (
        ("Sri", "Siti", "Sumarni", "Suparmi", "Sulastri", "Endang", "Tri", "Dwi", "Rini",
         "Suyatmi", "Painem", "Sukarti", "Darmi", "Winarsih", "Sumiyati", "Kartini", "Ngatini",
         "Sutarmi", "Retno", "Puji", "Murni", "Tutik", "Sumini", "Suwarni", "Kasmini"),
        ("Wahyuningsih", "Rahayu", "Lestari", "Astuti", "Handayani", "Purwanti", "Suryani",
         "Setyowati", "Widayati", "Susilowati", "Ningsih", "Utami", "Kusumawati", "Mulyani",
         "Pratiwi", "Wulandari", "Sulistyowati", "Indarti"),
    ),
    "sunda": (
        ("Euis", "Neneng", "Iis", "Enok", "Cucu", "Imas", "Yati", "Entin", "Dedeh", "Nining",
         "Popon", "Eti", "Ai", "Nenden", "Lilis", "Tati", "Enung", "Oom"),
        ("Sumarni", "Kurniasih", "Rosdiana", "Nurhayati", "Suryati", "Komalasari", "Rohaeti",
         "Sartika", "Mulyati", "Hasanah", "Maryamah", "Juariah", "Rukmini"),
    ),
    "melayu": (
        ("Nurhayati", "Zubaidah", "Rosmah", "Aminah", "Halimah", "Mariam", "Salmah", "Fatimah",
         "Khadijah", "Rohani", "Zainab", "Asmah", "Hasnah", "Nurlela", "Rosnah", "Juriah"),
        ("Hasanah", "Rahmah", "Azizah", "Wati", "Yanti", "Sari", "Fitri", "Sakdiah", "Latifah"),
    ),
    "lampung": (
        ("Rosmiyati", "Rusmini", "Nurbaiti", "Yuslina", "Mardiana", "Sri", "Siti", "Suparmi",
         "Komariah", "Nuraini", "Sumiati", "Rohimah", "Masitoh", "Sartini"),
        ("Wati", "Yanti", "Rahayu", "Lestari", "Marlina", "Herawati", "Sulistiani", "Dahlia"),
    ),
    "minang": (
        ("Yusnimar", "Nurhasni", "Erniwati", "Yulidar", "Asnidar", "Desmiati", "Rosmaniar",
         "Nurleli", "Zulfarida", "Elvi", "Yenni", "Syafni", "Gusniati", "Rosna"),
        ("Yunita", "Sari", "Wati", "Yanti", "Hayati", "Fitriani", "Yusra", "Armaini", "Deswita"),
    ),
    "batak": (
        ("Rosmawati", "Tiurma", "Lamria", "Dameria", "Rotua", "Sondang", "Nurmaida",
         "Hotmaida", "Rumondang", "Martha", "Lusiana", "Erni", "Rosdiana", "Tiomina"),
        ("Siregar", "Simanjuntak", "Sitorus", "Panjaitan", "Hutapea", "Manurung", "Sinaga",
         "Pardede", "Silalahi", "Tampubolon", "Napitupulu", "Sianipar", "Simatupang",
         "Butarbutar", "Marpaung"),
    ),
    "bugis": (
        ("Hasnawati", "Nurbaya", "Sitti", "Hamsiah", "Rahmatia", "Syamsiah", "Marlina",
         "Hasmawati", "Nurhaedah", "Sumarni", "Ramlah", "Hadijah", "Kasmawati", "Nurmiati"),
        ("Daeng Baji", "Daeng Kebo", "Daeng Sanga", "Daeng Ratu", "Daeng Ngai", "Daeng Tene",
         "Daeng Bau", "Daeng Te'ne", "Rahman", "Tahir"),
    ),
    "sasak": (
        ("Baiq Sumiati", "Baiq Rahmawati", "Hajrah", "Jumenah", "Rumiah", "Saenab", "Mahnun",
         "Sahrani", "Masnah", "Hulwiyah", "Inaq Rumini", "Nurul", "Sahniah", "Rabiah"),
        ("Ariani", "Hidayati", "Suryani", "Wahidah", "Fitriani", "Herawati", "Zuhriah"),
    ),
    "ntt": (
        ("Maria", "Yohana", "Margareta", "Agustina", "Fransiska", "Yuliana", "Veronika",
         "Theresia", "Katarina", "Anastasia", "Martha", "Elisabeth", "Sisilia", "Regina"),
        ("Jehamat", "Dahur", "Jagur", "Ndiwa", "Bulu", "Lende", "Kaka", "Tanggu", "Malo",
         "Bili", "Ndaung", "Loda", "Ate", "Kondi"),
    ),
    "dayak": (
        ("Maria", "Yustina", "Sesilia", "Agnes", "Lusia", "Paulina", "Katarina", "Yosefina",
         "Rosalia", "Veronika", "Klara", "Monika", "Helena", "Apolonia"),
        ("Mariani", "Susanti", "Kristina", "Herlina", "Yanti", "Ani", "Lusiana", "Natalia"),
    ),
    "banjar": (
        ("Siti", "Jamilah", "Norhasanah", "Masliani", "Normila", "Rusmilawati", "Fauziah",
         "Mahrita", "Hafsah", "Noorjannah", "Mahmudah", "Raudah", "Norliani", "Jubaidah"),
        ("Hayati", "Rahmah", "Yanti", "Noor", "Hasanah", "Maulida", "Rahmawati", "Aulia"),
    ),
    "madura": (
        ("Sumiati", "Misnati", "Suhaidah", "Maimunah", "Hosniyah", "Salehah", "Mutmainnah",
         "Nurul", "Ummi", "Hatijah", "Sitti", "Halimah", "Rohayya", "Juwairiyah"),
        ("Hasanah", "Rahmawati", "Fitriyah", "Holilah", "Qomariyah", "Sa'diyah", "Latifah"),
    ),
    "aceh": (
        ("Cut Nurmala", "Nurmala", "Rahmah", "Safriati", "Nurhayati", "Marliana", "Salbiah",
         "Hayatun", "Rukiah", "Nurlaili", "Ainul", "Mardiah", "Jamaliah", "Ernawati"),
        ("Fitri", "Mardiah", "Husna", "Zahara", "Rahmi", "Safitri", "Wardani", "Yusra"),
    ),
    "ternate": (
        ("Hadija", "Fatma", "Nurlela", "Rugaya", "Saida", "Maryam", "Jaenab", "Hasna",
         "Nurhaida", "Salma", "Rosita", "Aisa", "Sumiyati", "Hartati"),
        ("Sibua", "Ishak", "Djafar", "Hamid", "Latif", "Tomagola", "Kaunar", "Syah", "Abbas",
         "Bahrun", "Umar"),
    ),
}

# A few men run home industries too (about 3% of actors).
MEN_GIVEN = ("Slamet", "Agus", "Budi", "Joko", "Ahmad", "Bambang", "Yusuf", "Hendra",
             "Sutrisno", "Rahmat", "Sukardi", "Darmawan")

# Sectors and how often actors are in them (mapping results lean heavily to food).
SECTOR_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Sector.FOOD, 46),
    (Sector.CRAFT, 17),
    (Sector.FASHION, 15),
    (Sector.AGRI, 12),
    (Sector.SERVICES, 6),
    (Sector.OTHER, 4),
)

PRODUCTS: dict[str, tuple[str, ...]] = {
    Sector.FOOD: (
        "keripik singkong", "keripik pisang", "kerupuk ikan", "rempeyek kacang", "dodol",
        "kue kering", "abon ikan", "sambal botol", "sirup jahe", "tempe", "tahu", "roti manis",
        "kue basah", "emping melinjo", "ikan asin", "stik bawang", "kacang telur", "opak",
        "rengginang", "nastar",
    ),
    Sector.CRAFT: (
        "anyaman bambu", "anyaman pandan", "gerabah", "kerajinan rotan", "kerajinan kerang",
        "tas rajut", "keset kain perca", "manik-manik", "bunga kering", "kerajinan eceng gondok",
    ),
    Sector.FASHION: (
        "batik tulis", "batik cap", "tenun ikat", "jahit pakaian", "bordir", "mukena bordir",
        "kain jumputan", "kerudung rajut", "seragam sekolah",
    ),
    Sector.AGRI: (
        "gula aren", "gula semut", "kopi bubuk", "jahe instan", "tepung mocaf",
        "minyak kelapa murni", "madu hutan", "jamur tiram olahan", "teh herbal",
    ),
    Sector.SERVICES: ("katering", "jasa jahit", "salon", "laundry", "rias pengantin"),
    Sector.OTHER: ("sabun herbal", "lilin aromaterapi", "pupuk kompos", "daur ulang plastik"),
}

# Products each region is known for; about a third of its actors make one of these.
LOCAL_PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "61.08": ((Sector.FASHION, "tenun Dayak"), (Sector.CRAFT, "anyaman manik Dayak"),
              (Sector.FOOD, "lempok durian")),
    "33.17": ((Sector.FASHION, "batik tulis Lasem"), (Sector.FOOD, "terasi"),
              (Sector.FOOD, "sirup kawis"), (Sector.FOOD, "kerupuk ikan")),
    "33.24": ((Sector.FOOD, "bandeng presto"), (Sector.FOOD, "kerupuk rambak"),
              (Sector.FASHION, "batik tulis")),
    "33.07": ((Sector.FOOD, "carica dalam sirup"), (Sector.AGRI, "purwaceng"),
              (Sector.AGRI, "kopi bubuk"), (Sector.FOOD, "keripik jamur")),
    "36.72": ((Sector.FOOD, "emping melinjo"), (Sector.FOOD, "sate bandeng"),
              (Sector.FASHION, "batik Krakatoa")),
    "16.71": ((Sector.FOOD, "pempek"), (Sector.FOOD, "kemplang"), (Sector.FASHION, "songket"),
              (Sector.FASHION, "kain jumputan")),
    "52.02": ((Sector.FASHION, "tenun songket Sukarara"), (Sector.CRAFT, "gerabah Penujak"),
              (Sector.FOOD, "dodol rumput laut")),
    "53.15": ((Sector.FASHION, "tenun songke"), (Sector.AGRI, "kopi Manggarai"),
              (Sector.CRAFT, "kerajinan kerang")),
    "53.18": ((Sector.FASHION, "tenun ikat Sumba"), (Sector.CRAFT, "anyaman lontar"),
              (Sector.AGRI, "kopi bubuk")),
    "82.71": ((Sector.FOOD, "halua kenari"), (Sector.FOOD, "abon ikan cakalang"),
              (Sector.FOOD, "sagu lempeng"), (Sector.AGRI, "minyak kelapa murni")),
    "13.04": ((Sector.FOOD, "rendang"), (Sector.FOOD, "kerupuk sanjai"),
              (Sector.FASHION, "songket Pandai Sikek"), (Sector.AGRI, "kopi kawa daun")),
    "32.09": ((Sector.FASHION, "batik Trusmi"), (Sector.CRAFT, "kerajinan rotan"),
              (Sector.FOOD, "kerupuk udang"), (Sector.FOOD, "terasi udang")),
    "19.04": ((Sector.FOOD, "kemplang ikan"), (Sector.FOOD, "getas"),
              (Sector.FASHION, "kain cual"), (Sector.AGRI, "lada putih")),
    "18.01": ((Sector.FOOD, "keripik pisang"), (Sector.FASHION, "kain tapis"),
              (Sector.AGRI, "kopi robusta")),
    "18.07": ((Sector.FOOD, "keripik pisang"), (Sector.FASHION, "kain tapis"),
              (Sector.AGRI, "gula merah")),
    "21.03": ((Sector.FOOD, "kerupuk atom"), (Sector.FOOD, "ikan asin"),
              (Sector.CRAFT, "anyaman pandan")),
    "11.13": ((Sector.AGRI, "kopi Gayo"), (Sector.FASHION, "sulaman kerawang Gayo"),
              (Sector.AGRI, "minyak serai wangi")),
    "73.06": ((Sector.FOOD, "sirup markisa"), (Sector.FOOD, "dodol Malino"),
              (Sector.CRAFT, "anyaman bambu")),
    "12.12": ((Sector.FASHION, "ulos"), (Sector.AGRI, "kopi Lintong"),
              (Sector.FOOD, "sambal andaliman")),
    "63.03": ((Sector.FASHION, "kain sasirangan"), (Sector.FOOD, "kue bingka"),
              (Sector.CRAFT, "anyaman purun")),
    "35.29": ((Sector.FASHION, "batik tulis Sumenep"), (Sector.FOOD, "kerupuk ikan"),
              (Sector.AGRI, "jamu Madura")),
}

BRANDS = (
    "Berkah", "Lestari", "Barokah", "Mekar Sari", "Sumber Rejeki", "Mandiri", "Sejahtera",
    "Melati", "Dahlia", "Cahaya", "Srikandi", "Tunas Harapan", "Sari Rasa", "Putri",
    "Kenanga", "Makmur", "Rezeki Ibu", "Anugerah", "Bunda", "Karya Wanita", "Maju Jaya",
    "Citra", "Harapan Baru", "Sinar Pagi",
)

# Indonesian mobile prefixes (Telkomsel, Indosat, XL, Tri, Smartfren).
PHONE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0852", "0853", "0814", "0815", "0856",
    "0857", "0858", "0817", "0818", "0819", "0859", "0877", "0878", "0895", "0896",
    "0881", "0882",
)
# fmt: on
