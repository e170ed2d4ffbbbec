"""Where generated stakeholders practise: real cities of the demo regions' states, weighted by
population, with each city's real ZIP prefix and area code.

Populations are rounded 2020 census figures (states in millions, cities in thousands); they
only weight the draw, so rounding does not matter. Phone numbers use the 555-01xx block that
US numbering reserves for fiction, so no generated number rings anyone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    state: str
    city: str
    weight: float  # share of the whole demo population living here
    zip3: str
    area_code: str


#: state -> population in millions (the states the demo territories cover)
STATE_POPULATION: dict[str, float] = {
    "MA": 7.03,
    "NH": 1.38,
    "VT": 0.64,
    "ME": 1.36,
    "RI": 1.10,
    "CT": 3.61,
    "NY": 20.2,
    "NJ": 9.29,
    "PA": 13.0,
    "DE": 0.99,
    "MD": 6.18,
    "CA": 39.5,
    "AZ": 7.15,
    "NV": 3.10,
    "WA": 7.71,
    "OR": 4.24,
    "ID": 1.84,
    "AK": 0.73,
}

#: state -> (city, population in thousands, ZIP prefix, area code)
CITIES: dict[str, tuple[tuple[str, int, str, str], ...]] = {
    "MA": (
        ("Boston", 675, "021", "617"),
        ("Worcester", 206, "016", "508"),
        ("Springfield", 155, "011", "413"),
        ("Cambridge", 118, "021", "617"),
        ("Lowell", 115, "018", "978"),
        ("Newton", 88, "024", "617"),
        ("Framingham", 72, "017", "508"),
        ("Burlington", 26, "018", "781"),
    ),
    "NH": (
        ("Manchester", 115, "031", "603"),
        ("Nashua", 91, "030", "603"),
        ("Concord", 44, "033", "603"),
        ("Lebanon", 14, "037", "603"),
    ),
    "VT": (
        ("Burlington", 45, "054", "802"),
        ("Rutland", 16, "057", "802"),
        ("Montpelier", 8, "056", "802"),
    ),
    "ME": (
        ("Portland", 68, "041", "207"),
        ("Lewiston", 37, "042", "207"),
        ("Bangor", 32, "044", "207"),
    ),
    "RI": (
        ("Providence", 190, "029", "401"),
        ("Warwick", 82, "028", "401"),
        ("Cranston", 82, "029", "401"),
    ),
    "CT": (
        ("Bridgeport", 148, "066", "203"),
        ("New Haven", 135, "065", "203"),
        ("Stamford", 135, "069", "203"),
        ("Hartford", 121, "061", "860"),
        ("Farmington", 26, "060", "860"),
    ),
    "NY": (
        ("New York", 1690, "100", "212"),
        ("Brooklyn", 2740, "112", "718"),
        ("Bronx", 1470, "104", "718"),
        ("Staten Island", 495, "103", "718"),
        ("Buffalo", 278, "142", "716"),
        ("Rochester", 211, "146", "585"),
        ("Syracuse", 148, "132", "315"),
        ("Albany", 99, "122", "518"),
        ("White Plains", 59, "106", "914"),
        ("Mineola", 19, "115", "516"),
    ),
    "NJ": (
        ("Newark", 311, "071", "973"),
        ("Jersey City", 292, "073", "201"),
        ("Paterson", 159, "075", "973"),
        ("Trenton", 90, "086", "609"),
        ("Camden", 71, "081", "856"),
        ("New Brunswick", 56, "089", "732"),
        ("Hackensack", 46, "076", "201"),
        ("Princeton", 31, "085", "609"),
        ("Morristown", 20, "079", "973"),
    ),
    "PA": (
        ("Philadelphia", 1600, "191", "215"),
        ("Pittsburgh", 303, "152", "412"),
        ("Allentown", 125, "181", "610"),
        ("Erie", 95, "165", "814"),
        ("Scranton", 76, "185", "570"),
        ("Lancaster", 58, "176", "717"),
        ("Harrisburg", 50, "171", "717"),
        ("Hershey", 15, "170", "717"),
        ("Danville", 5, "178", "570"),
    ),
    "DE": (
        ("Wilmington", 71, "198", "302"),
        ("Dover", 39, "199", "302"),
        ("Newark", 31, "197", "302"),
    ),
    "MD": (
        ("Baltimore", 585, "212", "410"),
        ("Columbia", 104, "210", "410"),
        ("Rockville", 68, "208", "240"),
        ("Bethesda", 65, "208", "301"),
        ("Annapolis", 40, "214", "410"),
    ),
    "CA": (
        ("Los Angeles", 3900, "900", "213"),
        ("San Diego", 1380, "921", "619"),
        ("San Jose", 971, "951", "408"),
        ("San Francisco", 815, "941", "415"),
        ("Fresno", 542, "937", "559"),
        ("Sacramento", 524, "958", "916"),
        ("Long Beach", 466, "908", "562"),
        ("Oakland", 433, "946", "510"),
        ("Bakersfield", 403, "933", "661"),
        ("Anaheim", 346, "928", "714"),
        ("Stockton", 320, "952", "209"),
        ("Riverside", 314, "925", "951"),
        ("Irvine", 307, "926", "949"),
        ("Santa Rosa", 178, "954", "707"),
        ("Torrance", 147, "905", "310"),
        ("Pasadena", 138, "911", "626"),
        ("Berkeley", 120, "947", "510"),
        ("Santa Monica", 93, "904", "310"),
        ("Santa Barbara", 88, "931", "805"),
        ("Palo Alto", 68, "943", "650"),
        ("Duarte", 22, "910", "626"),
    ),
    "AZ": (
        ("Phoenix", 1600, "850", "602"),
        ("Tucson", 542, "857", "520"),
        ("Mesa", 504, "852", "480"),
        ("Scottsdale", 241, "852", "480"),
        ("Flagstaff", 76, "860", "928"),
    ),
    "NV": (
        ("Las Vegas", 641, "891", "702"),
        ("Henderson", 317, "890", "702"),
        ("Reno", 264, "895", "775"),
    ),
    "WA": (
        ("Seattle", 737, "981", "206"),
        ("Spokane", 228, "992", "509"),
        ("Tacoma", 219, "984", "253"),
        ("Vancouver", 190, "986", "360"),
        ("Bellevue", 151, "980", "425"),
        ("Everett", 111, "982", "425"),
    ),
    "OR": (
        ("Portland", 652, "972", "503"),
        ("Eugene", 176, "974", "541"),
        ("Salem", 175, "973", "503"),
        ("Bend", 99, "977", "541"),
        ("Medford", 85, "975", "541"),
    ),
    "ID": (
        ("Boise", 235, "837", "208"),
        ("Idaho Falls", 64, "834", "208"),
        ("Coeur d'Alene", 54, "838", "208"),
    ),
    "AK": (
        ("Anchorage", 291, "995", "907"),
        ("Fairbanks", 32, "997", "907"),
        ("Juneau", 32, "998", "907"),
    ),
}


def _places() -> tuple[Place, ...]:
    """Every city with its share of the population: the state's share split by the listed
    cities' sizes (the state's smaller towns are folded into its listed cities)."""
    total = sum(STATE_POPULATION.values())
    out: list[Place] = []
    for state, population in STATE_POPULATION.items():
        cities = CITIES[state]
        city_total = sum(c[1] for c in cities)
        for city, size, zip3, area in cities:
            out.append(Place(state, city, population / total * size / city_total, zip3, area))
    return tuple(out)


PLACES: tuple[Place, ...] = _places()

STREETS = (
    "Main", "Oak", "Maple", "Washington", "Park", "Elm", "Pine", "Cedar", "Lake", "Hill",
    "Church", "Highland", "Center", "Union", "Franklin", "Lincoln", "Jefferson", "Madison",
    "Market", "Spring", "Water", "River", "Mill", "Chestnut", "Walnut", "Broad", "Pleasant",
    "Prospect", "Summit", "Longwood", "Harbor", "Sunset", "Valley", "Forest", "College",
    "Hospital", "University", "Medical Center", "Liberty", "Grove",
)  # fmt: skip
STREET_SUFFIXES = ("St", "Ave", "Blvd", "Rd", "Dr", "Way", "Pkwy", "Ln", "Plaza")
