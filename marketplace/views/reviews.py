"""The cooperative's reviews page (/dashboard/reviews, on the dashboard blueprint and behind its
guards): every review of its products, hidden ones with the office's reason, and the one
reply to each. Rules in marketplace.reviews and core.reviews; the routes in
core.review_views."""

from core.review_views import owner_routes
from marketplace import reviews as shop_reviews
from marketplace.views.dashboard import dashboard

owner_routes(dashboard, shop_reviews.REVIEWED, "dashboard/reviews.html")
