"""The dashboard of Kế hoạch 603/KH-UBND on /admin/plan, and its tables as CSV. The figures
are worked out in programme.plan, the charts' geometry in programme.charts."""

from flask import Response, abort, render_template, request
from flask_babel import format_percent
from flask_babel import gettext as _

from core.admin import admin
from core.clock import today
from core.formatting import vnd
from programme import charts
from programme import plan as rules


def percent(value: float) -> str:
    """30 -> "30%", 22.58 -> "22,6%" (in the active locale)."""
    return format_percent(value / 100, "#,##0.#%")


def _charts(plan: rules.Plan) -> dict:
    def sales_text(sales: rules.Sales) -> str:
        return f"{vnd(sales.revenue)} · {_('%(n)s đơn', n=sales.orders)}"

    return {
        "district_map": charts.district_map(
            "chart-districts",
            _("Sản phẩm đạt OCOP theo huyện, thị xã, thành phố"),
            _(
                "Mỗi ô là một đơn vị cấp huyện, đặt gần đúng vị trí trên bản đồ tỉnh. Số trong ô là số sản phẩm đạt OCOP; ô có dấu ✓ đã đạt chỉ tiêu (từ %(n)s sản phẩm), ô gạch chéo chưa đạt.",
                n=rules.DISTRICT_MIN,
            ),
            [(d.name, d.certified, d.met) for d in plan.districts],
        ),
        "district_revenue": charts.bar_chart(
            "chart-revenue-districts",
            _("Doanh thu năm %(year)s theo huyện, thị xã, thành phố", year=plan.year),
            _("Mỗi thanh là một đơn vị cấp huyện; thanh càng dài, doanh thu càng cao."),
            [(s.label, s.revenue, sales_text(s)) for s in plan.site.by_district],
        ),
        "month_revenue": charts.bar_chart(
            "chart-revenue-months",
            _("Doanh thu năm %(year)s theo tháng", year=plan.year),
            _("Mỗi thanh là một tháng; thanh càng dài, doanh thu càng cao."),
            [(_("Tháng %(n)s", n=s.key), s.revenue, sales_text(s)) for s in plan.site.by_month],
        ),
    }


@admin.get("/plan")
def plan():
    day = today()
    year = rules.parse_year(request.args.get("year"), day)
    figures = rules.plan_figures(year, day)
    return render_template(
        "admin/plan.html",
        plan=figures,
        years=rules.years(day),
        percent=percent,
        targets=rules,
        **_charts(figures),
    )


@admin.get("/plan.csv")
def plan_csv():
    table = request.args.get("table", "summary")
    if table not in rules.CSV_TABLES:
        abort(404)
    day = today()
    year = rules.parse_year(request.args.get("year"), day)
    body = rules.to_csv(rules.csv_rows(table, rules.plan_figures(year, day)))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{rules.csv_filename(table, year)}"',
            "Cache-Control": "no-store",
        },
    )
