"""The demo programme: two days of the European Cluster Conference (10–11 November
2020, Europe/Berlin) in four rooms, booth tours linked to booths that exist, and a
few favourites for the demo attendees. Invented speakers; no overlaps in a room."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from exhibition.accounts.models import User
from exhibition.booths.models import Booth
from exhibition.extensions import db
from exhibition.schedule.models import Favourite, Session

BERLIN = ZoneInfo("Europe/Berlin")
PLENARY, GREEN, RESILIENCE, TOURS = "Plenary", "Room Green Deal", "Room Resilience", "Booth tours"

# (day, start, end, room, track, title, speakers, abstract, booth slug or None)
PROGRAMME = [
    (10, "09:00", "09:30", PLENARY, "Opening", "Welcome to the European Cluster Conference 2020",
     ["Dr. Helena Vogt", "Marek Kowalczyk"],
     "The organisers open the first digital edition of the conference: how the virtual exhibition "
     "works, where to meet people and what the two days hold.", None),
    (10, "09:30", "10:30", PLENARY, "Keynote", "Keynote: The European Green Deal as an industrial strategy",
     ["Isabel Marchetti"],
     "Climate neutrality by 2050 needs European industry to transform at scale. Why clusters are the "
     "bridge between the Green Deal's targets and the SMEs that have to deliver them.", None),
    (10, "10:45", "11:45", PLENARY, "Keynote", "Keynote: A new industrial strategy for Europe",
     ["Prof. Jan de Wilde"],
     "Industrial ecosystems, strategic autonomy and the twin green and digital transition: what the "
     "Commission's industrial strategy means for regions and their cluster organisations.", None),
    (10, "10:45", "11:45", GREEN, "Green Deal", "Hydrogen valleys: from pilot to regional economy",
     ["Dr. Sofie Lindqvist", "Thomas Brenner", "Ana Petrović"],
     "Three hydrogen valleys report on electrolyser capacity, offtakers and the cluster's role in "
     "bringing producers, grid operators and industry to one table.", "silesia-hydrogen-valley"),
    (10, "10:45", "11:45", RESILIENCE, "Resilience", "Cluster resilience in times of crisis",
     ["Dr. Katarzyna Wiśniewska", "Luc Vermeulen"],
     "How did cluster organisations keep their members connected in spring 2020? Findings from a survey "
     "of 180 European clusters and what makes a cluster resilient.", None),
    (10, "12:00", "12:30", TOURS, "Booth tour", "Guided tour: Cluster Elektromobilität Süd-West",
     ["Stefan Albrecht"],
     "A walk through the booth of Baden-Württemberg's e-mobility cluster: batteries, charging "
     "infrastructure and the transformation of the automotive supply chain.", "elektromobilitaet-sued-west"),
    (10, "12:00", "13:00", GREEN, "Green Deal", "E-mobility in Baden-Württemberg: transforming a supplier region",
     ["Stefan Albrecht", "Dr. Miriam Keller", "Jürgen Hoffmann"],
     "More than 1,000 suppliers depend on the combustion engine. The region's e-mobility cluster shows how "
     "SMEs find new products in battery systems, power electronics and charging.", "elektromobilitaet-sued-west"),
    (10, "12:00", "13:00", RESILIENCE, "Recovery", "The pandemic's economic effects on European regions",
     ["Prof. Elena Rossi", "Dr. Pieter Janssens"],
     "Supply chains broke, demand shifted, some sectors boomed. Regional data on the first pandemic wave "
     "and what it tells us about the recovery.", None),
    (10, "13:30", "14:30", PLENARY, "Panel", "Panel: Clusters after COVID-19 — more important than ever?",
     ["Isabel Marchetti", "Dr. Katarzyna Wiśniewska", "Henrik Sørensen", "Moderation: Dr. Helena Vogt"],
     "Cluster managers from East and West discuss what the crisis changed in their daily work, from "
     "emergency matchmaking for protective equipment to digital events.", None),
    (10, "14:45", "15:45", GREEN, "Digital", "Digital transformation of manufacturing SMEs",
     ["Dr. Andrea Novák", "Felix Baumann"],
     "Industry 4.0 beyond the showcase factory: affordable sensors, data platforms and the skills SMEs "
     "need, with examples from cluster projects in Czechia and Germany.", None),
    (10, "14:45", "15:45", RESILIENCE, "Recovery", "SME recovery: finance, skills and new markets",
     ["Lucía Fernández", "Dr. Tobias Graf"],
     "Which support instruments reached SMEs in 2020, and which did not? A practical session on the "
     "recovery funds and how clusters can help their members apply.", None),
    (10, "15:00", "15:30", TOURS, "Booth tour", "Guided tour: hydrogen and energy clusters",
     ["Dr. Sofie Lindqvist"],
     "Visit the booths of energy and hydrogen clusters and meet their teams live.", "silesia-hydrogen-valley"),
    (10, "16:00", "17:00", PLENARY, "Networking", "Speed networking: meet the clusters",
     ["Hosts: Marek Kowalczyk", "Clara Bauer"],
     "Five-minute video meetings with cluster managers from across Europe. Book through the people "
     "directory or join the open rooms.", None),
    (11, "09:00", "09:45", PLENARY, "Keynote", "Keynote: Resilient value chains for a green recovery",
     ["Dr. Pieter Janssens"],
     "Shorter, greener, more diverse: how European value chains are being rebuilt after the shock of "
     "2020, and the role of regional innovation ecosystems.", None),
    (11, "10:00", "11:00", GREEN, "Green Deal", "Circular economy in the cluster: from waste to resource",
     ["Marta Gonçalves", "Dr. Niklas Weber"],
     "Battery recycling, recycled plastics and industrial symbiosis: cluster projects that keep "
     "materials in use longer.", None),
    (11, "10:00", "11:00", RESILIENCE, "Resilience", "Cross-border cooperation: lessons from the Upper Rhine",
     ["Claire Dubois", "Andreas Frey"],
     "When borders closed in March 2020, cross-border clusters had to improvise. What worked, what did "
     "not, and what stays.", None),
    (11, "10:00", "10:30", TOURS, "Booth tour", "Guided tour: Cluster Elektromobilität Süd-West (repeat)",
     ["Dr. Miriam Keller"],
     "The second tour through the e-mobility booth, with a live demo of a charging-infrastructure "
     "planning tool.", "elektromobilitaet-sued-west"),
    (11, "11:15", "12:15", PLENARY, "Panel", "Panel: Financing the twin transition",
     ["Prof. Elena Rossi", "Jan Nowicki", "Isabel Marchetti", "Moderation: Clara Bauer"],
     "Horizon Europe, the recovery facility and regional funds: how can SMEs in clusters finance "
     "green and digital investments?", None),
    (11, "11:15", "12:15", GREEN, "Green Deal", "Hydrogen in mobility and heavy industry",
     ["Thomas Brenner", "Dr. Ines Hartmann"],
     "Fuel-cell trucks, hydrogen for steel and chemicals: where hydrogen makes sense first, and what "
     "the infrastructure will cost.", None),
    (11, "12:30", "13:30", RESILIENCE, "Digital", "Digital cluster services: matchmaking without a trade fair",
     ["Dr. Andrea Novák", "Henrik Sørensen"],
     "Virtual B2B meetings, online booths and data-driven matchmaking: what cluster members liked, and "
     "what they missed.", None),
    (11, "12:30", "13:00", TOURS, "Booth tour", "Guided tour: digital innovation hubs",
     ["Felix Baumann"],
     "A short tour of the booths of digital innovation hubs and their offers for SMEs.",
     "transylvania-digital-cluster"),
    (11, "13:30", "14:30", GREEN, "Green Deal", "Batteries made in Europe",
     ["Dr. Miriam Keller", "Marta Gonçalves"],
     "The European Battery Alliance three years on: cell factories, raw materials and the suppliers "
     "that want to be part of it.", None),
    (11, "14:00", "15:00", PLENARY, "Panel", "Panel: Skills for the automotive transformation",
     ["Jürgen Hoffmann", "Lucía Fernández", "Dr. Tobias Graf"],
     "Which skills do employees of automotive suppliers need for electric drives and software, and how "
     "can clusters organise training together with universities?", None),
    (11, "14:45", "15:45", RESILIENCE, "Recovery", "Tourism and creative industries: recovering together",
     ["Giulia Moretti", "Andreas Frey"],
     "Hard-hit sectors look for new business models, often with partners from other industries.", None),
    (11, "16:00", "16:45", PLENARY, "Closing", "Closing: Conclusions and the road to 2021",
     ["Dr. Helena Vogt", "Prof. Jan de Wilde"],
     "What we learnt in two days, and the next steps for European cluster cooperation.", None),
]

FAVOURITES = {
    "anna.becker@example.org": ["E-mobility in Baden-Württemberg", "Batteries made in Europe",
                                "Keynote: The European Green Deal"],
    "piotr.nowak@example.org": ["Hydrogen valleys", "Cluster resilience in times of crisis",
                                "Digital transformation of manufacturing SMEs"],
    "lucia.romano@example.org": ["SME recovery", "The pandemic's economic effects", "Panel: Financing"],
}


def _at(day: int, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(2020, 11, day, hour, minute, tzinfo=BERLIN)


def _booth_id(slug: str | None) -> int | None:
    if not slug:
        return None
    return db.session.scalar(select(Booth.id).where(Booth.slug == slug))


def load() -> None:
    """Add the demo programme and the demo attendees' favourites."""
    sessions: list[Session] = []
    for day, start, end, room, track, title, speakers, abstract, slug in PROGRAMME:
        session = Session(title=title, abstract=abstract, starts_at=_at(day, start), ends_at=_at(day, end),
                          room=room, track=track, speakers=speakers, booth_id=_booth_id(slug),
                          guid=f"ecc2020-demo-{len(sessions) + 1:02d}")
        sessions.append(session)
        db.session.add(session)
    db.session.flush()
    for email, prefixes in FAVOURITES.items():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            continue
        for session in sessions:
            if any(session.title.startswith(prefix) for prefix in prefixes):
                db.session.add(Favourite(user_id=user.id, session_id=session.id))
    db.session.commit()
