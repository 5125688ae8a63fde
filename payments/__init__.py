"""Payments, shared by every area that takes money: today the VietQR codes and the bank
transfer details of an order (vietqr, transfers); next bank notifications and statement
import, matching transfers to what they pay, refunds. Used by marketplace's orders, and later
by tourism's bookings and fairs' booth fees: it imports core only, never an area."""
