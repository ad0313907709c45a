"""Django's stock admin changelist for claims, served only while benchmarking, for comparison.

It is what a team would use without Claim Tracker: default paginator with full counts, and an
ILIKE search. config/urls.py mounts it at /bench/stock-admin/ when BENCHMARK_STOCK_ADMIN=1.
"""

from django.contrib import admin

from claims.models import Claim

site = admin.AdminSite(name="stock_admin")


@admin.register(Claim, site=site)
class StockClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "created_at"]
    search_fields = ["text"]
