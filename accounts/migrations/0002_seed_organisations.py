"""Seed the organisations practitioners belong to, with the email domains that prove it.

Domains are a starting point for administrators to confirm and extend in the admin.
"""

from django.db import migrations
from django.utils.text import slugify

POLICE_FORCES = [
    ("Avon and Somerset Constabulary", "avonandsomerset.police.uk"),
    ("Bedfordshire Police", "bedfordshire.police.uk"),
    ("Cambridgeshire Constabulary", "cambs.police.uk"),
    ("Cheshire Constabulary", "cheshire.police.uk"),
    ("City of London Police", "cityoflondon.police.uk"),
    ("Cleveland Police", "cleveland.police.uk"),
    ("Cumbria Constabulary", "cumbria.police.uk"),
    ("Derbyshire Constabulary", "derbyshire.police.uk"),
    ("Devon and Cornwall Police", "devonandcornwall.police.uk"),
    ("Dorset Police", "dorset.police.uk"),
    ("Durham Constabulary", "durham.police.uk"),
    ("Dyfed-Powys Police", "dyfed-powys.police.uk"),
    ("Essex Police", "essex.police.uk"),
    ("Gloucestershire Constabulary", "gloucestershire.police.uk"),
    ("Greater Manchester Police", "gmp.police.uk"),
    ("Gwent Police", "gwent.police.uk"),
    ("Hampshire and Isle of Wight Constabulary", "hampshire.police.uk"),
    ("Hertfordshire Constabulary", "herts.police.uk"),
    ("Humberside Police", "humberside.police.uk"),
    ("Kent Police", "kent.police.uk"),
    ("Lancashire Constabulary", "lancashire.police.uk"),
    ("Leicestershire Police", "leics.police.uk"),
    ("Lincolnshire Police", "lincs.police.uk"),
    ("Merseyside Police", "merseyside.police.uk"),
    ("Metropolitan Police Service", "met.police.uk"),
    ("Norfolk Constabulary", "norfolk.police.uk"),
    ("North Wales Police", "northwales.police.uk"),
    ("North Yorkshire Police", "northyorkshire.police.uk"),
    ("Northamptonshire Police", "northants.police.uk"),
    ("Northumbria Police", "northumbria.police.uk"),
    ("Nottinghamshire Police", "notts.police.uk"),
    ("South Wales Police", "south-wales.police.uk"),
    ("South Yorkshire Police", "southyorks.police.uk"),
    ("Staffordshire Police", "staffordshire.police.uk"),
    ("Suffolk Constabulary", "suffolk.police.uk"),
    ("Surrey Police", "surrey.police.uk"),
    ("Sussex Police", "sussex.police.uk"),
    ("Thames Valley Police", "thamesvalley.police.uk"),
    ("Warwickshire Police", "warwickshire.police.uk"),
    ("West Mercia Police", "westmercia.police.uk"),
    ("West Midlands Police", "west-midlands.police.uk"),
    ("West Yorkshire Police", "westyorkshire.police.uk"),
    ("Wiltshire Police", "wiltshire.police.uk"),
]

# Probation staff share the justice.gov.uk domain: a member whose address matches picks their
# region (or the Ministry of Justice, or HMPPS) when they are verified.
PROBATION_REGIONS = [
    "East Midlands",
    "East of England",
    "Greater Manchester",
    "Kent, Surrey and Sussex",
    "London",
    "North East",
    "North West",
    "South Central",
    "South West",
    "Wales",
    "West Midlands",
    "Yorkshire and the Humber",
]

NATIONAL_BODIES = [
    ("Home Office", "homeoffice.gov.uk"),
    ("Ministry of Justice", "justice.gov.uk"),
    ("HM Prison and Probation Service", "justice.gov.uk"),
    ("National Crime Agency", "nca.gov.uk"),
    ("College of Policing", "college.police.uk"),
    ("National Police Chiefs' Council", "npcc.police.uk"),
]


def organisations():
    for name, domain in POLICE_FORCES:
        yield name, "police_force", domain
    for region in PROBATION_REGIONS:
        yield f"Probation Service – {region}", "probation_region", "justice.gov.uk"
    for name, domain in NATIONAL_BODIES:
        yield name, "national_body", domain


def seed(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    OrganisationDomain = apps.get_model("accounts", "OrganisationDomain")
    for name, kind, domain in organisations():
        organisation, _ = Organisation.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind}
        )
        OrganisationDomain.objects.get_or_create(organisation=organisation, domain=domain)


def unseed(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(slug__in=[slugify(n) for n, _k, _d in organisations()]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
