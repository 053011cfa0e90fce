"""Evaluation of Sec. 5: PSNR/SSIM, frame-difference metrics, object-centre distance."""
