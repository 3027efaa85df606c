"""Demo booths of the European Cluster Conference 2020: clusters from Western and
Eastern Europe, each with a hand-drawn logo (static/img/booths/<slug>.svg) and staff.

The clusters, people and web addresses are invented."""
from __future__ import annotations

from exhibition.accounts.services import create_user
from exhibition.booths.models import Booth
from exhibition.booths.services import add_staff
from exhibition.extensions import db
from exhibition.policies import SYSTEM

# (slug, name, tagline, topics, description, staff: [(email, name, organisation, interests)])
BOOTHS: list[dict] = [
    {
        "slug": "elektromobilitaet-sued-west",
        "name": "Cluster Elektromobilität Süd-West",
        "tagline": "Baden-Württemberg's network for e-mobility, batteries and the automotive transformation",
        "topics": ["e-mobility", "batteries", "charging infrastructure", "automotive transformation",
                   "Green Deal", "SMEs"],
        "website": "https://emobil-suedwest.example.org",
        "video_url": "https://video.example.org/ecc2020/emobil-suedwest",
        "description": """\
The **Cluster Elektromobilität Süd-West** brings together more than 120 companies and research
institutes from Baden-Württemberg along the whole value chain of electric mobility: from cell
chemistry and battery systems to power electronics, charging infrastructure and new vehicle concepts.

Our region is home to global car makers and thousands of suppliers. The shift to electric drive
trains changes their products, their processes and the skills their people need. We help
**SMEs in particular** to find their place in the new value chains.

### What we offer at this conference

- Matchmaking with partners for *battery production*, recycling and second-life projects
- Our study *"Transformation of the supplier industry 2030"*
- The cross-border pilot on **bidirectional charging** with partners in Alsace and Switzerland
- Support for EU project consortia (Horizon Europe, Interreg, IPCEI batteries)

Drop by the chat or leave your contact details — our cluster managers are here both days.
""",
        "staff": [
            ("katrin.hofmann@ecc2020.eu", "Katrin Hofmann", "Cluster Elektromobilität Süd-West",
             ["e-mobility", "batteries", "internationalisation"]),
            ("jonas.weber@ecc2020.eu", "Jonas Weber", "Cluster Elektromobilität Süd-West",
             ["charging infrastructure", "SMEs", "skills"]),
        ],
    },
    {
        "slug": "silesia-hydrogen-valley",
        "name": "Silesia Hydrogen Valley",
        "tagline": "From coal to clean hydrogen: a just transition for Upper Silesia",
        "topics": ["hydrogen", "Green Deal", "energy transition", "cluster resilience", "skills"],
        "website": "https://h2silesia.example.org",
        "video_url": "https://video.example.org/ecc2020/h2-silesia",
        "description": """\
**Silesia Hydrogen Valley** connects energy companies, chemical plants, universities and
municipalities of the Silesian Voivodeship around one goal: to turn a coal region into a
hydrogen region.

We coordinate pilot electrolysers, hydrogen buses for public transport and the re-use of
industrial sites and grid connections of closing mines.

1. Production: green hydrogen from wind and solar power
2. Use: buses, heavy transport and process heat in industry
3. People: re-skilling miners and technicians for new jobs

We are looking for partners for the *Just Transition Fund* and for joint training programmes.
""",
        "staff": [
            ("agnieszka.kowalska@ecc2020.eu", "Agnieszka Kowalska", "Silesia Hydrogen Valley",
             ["hydrogen", "Green Deal", "skills"]),
        ],
    },
    {
        "slug": "moravia-automotive-mechatronics",
        "name": "Moravia Automotive & Mechatronics Cluster",
        "tagline": "Suppliers, engineers and researchers of Czech car making",
        "topics": ["automotive transformation", "digitalisation", "SMEs", "e-mobility",
                   "recovery from the pandemic"],
        "website": "https://moravia-automotive.example.org",
        "video_url": "https://video.example.org/ecc2020/moravia-automotive",
        "description": """\
The **Moravia Automotive & Mechatronics Cluster** represents 85 suppliers, two technical
universities and several engineering service providers in Moravia and Silesia.

The pandemic stopped production lines in spring 2020 and showed how fragile long supply
chains are. Together with our members we analysed the bottlenecks and built a *supplier
exchange* that helped companies to find substitute parts within the region.

Our focus now:

- sensors, actuators and control units for electric and automated vehicles
- Industry 4.0 retrofits for small and medium-sized plants
- dual training in mechatronics together with vocational schools
""",
        "staff": [
            ("tomas.dvorak@ecc2020.eu", "Tomáš Dvořák", "Moravia Automotive & Mechatronics Cluster",
             ["automotive transformation", "digitalisation"]),
            ("petra.novotna@ecc2020.eu", "Petra Novotná", "Moravia Automotive & Mechatronics Cluster",
             ["skills", "SMEs", "cluster resilience"]),
        ],
    },
    {
        "slug": "transylvania-digital-cluster",
        "name": "Transylvania Digital Innovation Cluster",
        "tagline": "Software, AI and digital services from Cluj-Napoca and Brașov",
        "topics": ["digitalisation", "artificial intelligence", "SMEs", "internationalisation", "skills"],
        "website": "https://transylvania-digital.example.org",
        "video_url": "https://video.example.org/ecc2020/transylvania-digital",
        "description": """\
The **Transylvania Digital Innovation Cluster** unites more than 70 software companies,
start-ups, universities and public bodies in Romania's fastest-growing tech region.

We are a *European Digital Innovation Hub* candidate and help manufacturing SMEs across
the region to digitalise: from a first data audit to machine learning in quality control.

- **Digital maturity checks** for SMEs, free of charge
- Joint offers of our members for clients in Western Europe
- Summer schools in data science with local universities

Ask us about cooperation in Horizon Europe and Digital Europe calls.
""",
        "staff": [
            ("andrei.popescu@ecc2020.eu", "Andrei Popescu", "Transylvania Digital Innovation Cluster",
             ["digitalisation", "artificial intelligence", "internationalisation"]),
        ],
    },
    {
        "slug": "north-sea-clean-energy-water",
        "name": "North Sea Clean Energy & Water Cluster",
        "tagline": "Offshore wind, smart water and the energy islands of tomorrow",
        "topics": ["Green Deal", "offshore wind", "water", "hydrogen", "circular economy"],
        "website": "https://northsea-cleantech.example.org",
        "video_url": "https://video.example.org/ecc2020/northsea-cleantech",
        "description": """\
The **North Sea Clean Energy & Water Cluster** is a Danish-Dutch partnership of 160 companies,
ports, utilities and knowledge institutes around the North Sea.

We work where energy and water meet: offshore wind parks, power-to-X on energy islands,
climate-resilient water management and the re-use of waste water in industry.

> "The Green Deal will be built at sea and along our coasts." — our board

Meet us to discuss:

- supply chain opportunities in offshore wind for Central and Eastern European companies
- *green hydrogen* corridors from the North Sea to industrial regions inland
- water technologies for the circular economy
""",
        "staff": [
            ("mette.jensen@ecc2020.eu", "Mette Jensen", "North Sea Clean Energy & Water Cluster",
             ["Green Deal", "hydrogen", "circular economy"]),
            ("daan.devries@ecc2020.eu", "Daan de Vries", "North Sea Clean Energy & Water Cluster",
             ["water", "internationalisation"]),
        ],
    },
    {
        "slug": "occitanie-aerospace-mobility",
        "name": "Occitanie Aerospace & Mobility Cluster",
        "tagline": "Aeronautics, space and low-carbon mobility in the South of France",
        "topics": ["aerospace", "hydrogen", "cluster resilience", "recovery from the pandemic", "SMEs"],
        "website": "https://occitanie-aero.example.org",
        "video_url": "https://video.example.org/ecc2020/occitanie-aero",
        "description": """\
The **Occitanie Aerospace & Mobility Cluster** gathers 400 members around Toulouse: aircraft
and satellite makers, their suppliers, laboratories and training centres.

2020 hit aviation harder than any other industry. Our *resilience plan* helps suppliers to
keep their skills and to diversify into rail, drones, space services and hydrogen-powered
aircraft.

- **Diversification workshops** for SMEs of the aerospace supply chain
- Hydrogen aircraft demonstrators with regional airports
- A talent pool that keeps engineers in the region during the crisis
""",
        "staff": [
            ("camille.martin@ecc2020.eu", "Camille Martin", "Occitanie Aerospace & Mobility Cluster",
             ["cluster resilience", "hydrogen", "recovery from the pandemic"]),
        ],
    },
    {
        "slug": "basque-advanced-manufacturing",
        "name": "Basque Advanced Manufacturing Cluster",
        "tagline": "Machine tools, additive manufacturing and smart factories from Euskadi",
        "topics": ["advanced manufacturing", "digitalisation", "circular economy", "internationalisation",
                   "skills"],
        "website": "https://basque-manufacturing.example.org",
        "video_url": "https://video.example.org/ecc2020/basque-manufacturing",
        "description": """\
The **Basque Advanced Manufacturing Cluster** represents the machine tool, metalworking and
additive manufacturing companies of the Basque Country, with a strong base of family-owned
SMEs that export all over the world.

Our members build the machines that build Europe's cars, aircraft and wind turbines. We
support them with:

- joint research on **additive manufacturing** and hybrid machines
- remanufacturing and *circular* business models for machine tools
- export consortia for new markets in Central and Eastern Europe
- a regional skills alliance for Industry 4.0 technicians
""",
        "staff": [
            ("inaki.etxeberria@ecc2020.eu", "Iñaki Etxeberria", "Basque Advanced Manufacturing Cluster",
             ["advanced manufacturing", "internationalisation"]),
        ],
    },
    {
        "slug": "baltic-photonics-digital",
        "name": "Baltic Photonics & Digital Cluster",
        "tagline": "Lasers from Vilnius, e-government know-how from Tallinn",
        "topics": ["photonics", "digitalisation", "internationalisation", "SMEs", "skills"],
        "website": "https://baltic-photonics.example.org",
        "video_url": "https://video.example.org/ecc2020/baltic-photonics",
        "description": """\
The **Baltic Photonics & Digital Cluster** links the Lithuanian laser industry — world leaders
in ultra-fast and scientific lasers — with Estonia's digital service companies.

Small countries, global niches: most of our members export more than 80 % of what they make.

- Laser sources and systems for research, medicine and micro-machining
- Digital identity, e-services and cyber security for public administrations
- Joint stands and missions to trade fairs, now as virtual delegations

We look for research partners and distributors in Western Europe.
""",
        "staff": [
            ("ruta.kazlauskaite@ecc2020.eu", "Rūta Kazlauskaitė", "Baltic Photonics & Digital Cluster",
             ["photonics", "internationalisation"]),
            ("kristjan.tamm@ecc2020.eu", "Kristjan Tamm", "Baltic Photonics & Digital Cluster",
             ["digitalisation", "skills"]),
        ],
    },
    {
        "slug": "alpine-wood-green-building",
        "name": "Alpine Wood & Green Building Cluster",
        "tagline": "Timber construction and energy-efficient buildings from Austria and Slovenia",
        "topics": ["green building", "circular economy", "Green Deal", "SMEs", "recovery from the pandemic"],
        "website": "https://alpine-woodbuilding.example.org",
        "video_url": "https://video.example.org/ecc2020/alpine-woodbuilding",
        "description": """\
The **Alpine Wood & Green Building Cluster** is a cross-border network of sawmills, timber
builders, architects, energy consultants and universities in Styria, Carinthia and Slovenia.

Buildings cause about a third of Europe's emissions. Wood stores carbon, and prefabricated
timber elements make renovation faster. With the EU's *Renovation Wave* we see a strong
recovery path for our SMEs.

- **Prefabricated timber façades** for deep energy renovation
- Re-use of building components and wood cascading
- Training for carpenters and planners in low-energy construction
""",
        "staff": [
            ("matej.kovac@ecc2020.eu", "Matej Kovač", "Alpine Wood & Green Building Cluster",
             ["green building", "circular economy", "Green Deal"]),
        ],
    },
]


def load(password: str) -> None:
    """Create the demo booths and their staff accounts (called by exhibition.demo)."""
    for entry in BOOTHS:
        booth = Booth(slug=entry["slug"], name=entry["name"], tagline=entry["tagline"],
                      description=entry["description"], topics=list(entry["topics"]),
                      website=entry["website"], video_url=entry["video_url"],
                      logo_url=f"/static/img/booths/{entry['slug']}.svg")
        db.session.add(booth)
    db.session.commit()
    for entry in BOOTHS:
        for email, name, organisation, interests in entry["staff"]:
            user = create_user(email, password, name, "staff")
            add_staff(SYSTEM, entry["slug"], user.id)
            user.organisation, user.interests = organisation, list(interests)
    db.session.commit()
